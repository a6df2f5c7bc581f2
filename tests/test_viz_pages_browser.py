"""The pages of issue 22 in a real browser (Debian's chromium, headless, selenium; the same
fixture and launch flags as test_viz_player_browser.py): the derivation beside the
step-through, the exercise page, and the training replay. Each is self-contained (nothing
is fetched), logs no error, and shows what users wrote as text. Skipped, with the reason,
where chromium, chromedriver or Graphviz is missing."""

from __future__ import annotations

import re

import numpy as np
import pytest

import viz
from autograd import Value
from autograd.losses import mse
from autograd.nn import MLP, Layer
from autograd.optim import SGD

pytest.importorskip("selenium", reason="selenium not installed (pip install -e .[dev])")

import test_viz_player_browser as player_browser
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

pytestmark = player_browser.pytestmark  # skipped without chromium, chromedriver or dot
browser = player_browser.browser  # the player tests' fixture: one chromium, the same flags

EVIL = "</script><script>alert(1)</script>"


def open_page(browser, path) -> None:
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(path.resolve().as_uri())


def assert_clean(browser) -> None:
    """No script ran from user text, nothing was fetched, nothing was logged as an error."""
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    urls = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert urls == []
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def click_text(browser, text: str) -> None:
    """A real mouse click on the SVG text ``text`` (after fitting the whole graph in view)."""
    target = browser.execute_script(
        "return [...document.querySelectorAll('svg g.node text')]"
        ".find(t => t.textContent === arguments[0]);",
        text,
    )
    assert target is not None, text
    ActionChains(browser).move_to_element(target).click().perform()


def neuron(x2_label: str = "x2", square: bool = False) -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label=x2_label)
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    if square:  # x1 used three times: three terms, added at two steps
        n = n + x1 * x1
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


# --------------------------------------------------------------------- the step-through


def test_clicking_a_value_shows_its_derivation_beside_the_picture(browser, tmp_path):
    out = neuron(x2_label=EVIL, square=True)
    steps = viz.backward_steps(out)
    open_page(browser, steps.save_html(tmp_path / "steps.html"))
    panel = browser.find_element(By.CSS_SELECTOR, ".ag-explain")
    assert not panel.is_displayed()  # until a click: the picture keeps its width
    browser.find_element(By.XPATH, "//button[text()='fit']").click()
    click_text(browser, "x1")
    assert panel.is_displayed()
    out.backward()
    lines = panel.find_elements(By.CSS_SELECTOR, ".ag-line")
    x1 = next(v for v in steps.order if v.label == "x1")
    derivation = viz.explain(x1, out)
    assert lines[0].text == derivation.header()
    assert len(derivation.terms) == 3  # x1·w1, and x1·x1 twice
    pending = panel.find_elements(By.CSS_SELECTOR, ".ag-pending")
    assert pending and "to come: step" in panel.text  # at step 1 no term is added yet
    beside = browser.execute_script(
        "const p = document.querySelector('.ag-explain').getBoundingClientRect();"
        "const v = document.querySelector('.ag-view').getBoundingClientRect();"
        "return p.left >= v.right - 1 && p.top < v.bottom;"
    )
    assert beside
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    assert panel.find_elements(By.CSS_SELECTOR, ".ag-pending") == []  # all added by the end
    assert "added in step" in panel.text and "to come" not in panel.text
    browser.find_element(By.XPATH, "//button[text()='fit']").click()  # End panned the view
    click_text(browser, "tanh")  # an op shows the derivation of the value it makes: o
    assert panel.find_element(By.CSS_SELECTOR, ".ag-line").text == viz.explain(out, out).header()
    click_text(browser, "n")
    n = next(v for v in steps.order if v.label == "n")
    assert panel.find_element(By.CSS_SELECTOR, ".ag-line").text == viz.explain(n, out).header()
    # The evil label is drawn and explained as text.
    click_text(browser, EVIL)
    assert panel.find_element(By.CSS_SELECTOR, ".ag-line").text.startswith("∂o/∂(</script><scr")
    assert_clean(browser)
    assert browser.save_screenshot(str(tmp_path / "explain.png"))


# --------------------------------------------------------------------- the exercise page


def test_the_exercise_page_checks_answers_and_hints_at_wrong_ones(browser, tmp_path):
    out = neuron(x2_label=EVIL)
    ex = viz.exercise(out, ask="grad")
    truth = ex.solution()
    open_page(browser, ex.save_html(tmp_path / "exercise.html"))
    rows = browser.find_elements(By.CSS_SELECTOR, ".ag-blanks tr:not(.ag-hint-row)")
    assert [r.find_element(By.TAG_NAME, "label").text for r in rows] == ex.blanks
    assert EVIL[:20] in rows[ex.blanks.index(next(b for b in ex.blanks if "script" in b))].text
    inputs = {name: r.find_element(By.TAG_NAME, "input") for name, r in zip(ex.blanks, rows)}
    inputs["w1"].send_keys(format(truth["w1"] * 1.004, ".4f"))  # within 1 %
    inputs["x1"].send_keys("42")
    inputs["b"].send_keys("0,5")  # a decimal comma
    inputs["n"].send_keys("0.5" + Keys.ENTER)  # Enter checks too
    results = {
        name: r.find_element(By.CSS_SELECTOR, ".ag-result").text for name, r in zip(ex.blanks, rows)
    }
    assert results["w1"] == results["b"] == results["n"] == "✓ right"
    assert results["x1"] == "✗ not yet" and results["w2"] == ""
    hint = browser.find_element(By.CSS_SELECTOR, ".ag-hint-row:not([hidden]) .ag-hint").text
    assert hint == "Hint: " + ex.hint("x1")
    assert browser.find_element(By.CSS_SELECTOR, ".ag-score").text.startswith("3 of ")
    # The picture shows each answer in its cell, green or red.
    painted = browser.execute_script(
        "const p = arguments[0]; const g = document.querySelector(`[id='${p}']`);"
        "return [g.querySelector('text').textContent.trim(),"
        " [...g.querySelectorAll('polygon')].map(s => s.getAttribute('fill'))];",
        browser.execute_script(
            "return JSON.parse(document.querySelector('script.ag-data').textContent).prefix"
        )
        + ex.cell_id("x1"),
    )
    assert painted[0] == "grad 42" and "#f4b6b6" in painted[1]
    browser.find_element(By.CSS_SELECTOR, "button.ag-clear").click()
    assert browser.find_element(By.CSS_SELECTOR, ".ag-score").text == ""
    assert_clean(browser)
    assert browser.save_screenshot(str(tmp_path / "exercise.png"))


def small_replay() -> viz.TrainingReplay:
    model = Layer(2, 1, activation="tanh", seed=0, name=EVIL)  # its weights: EVIL.N0.w0, ...
    replay = viz.TrainingReplay(model, [0.5, -0.5], 0.8, loss=mse)
    for _ in range(3):
        replay.record()
    return replay


@pytest.mark.parametrize("what", ["exercise", "replay"])
def test_in_an_untrusted_notebook_a_page_is_a_picture_with_one_line(browser, tmp_path, what):
    if what == "exercise":
        shown, said = viz.exercise(neuron(x2_label=EVIL), ask="grad"), "ex.check({name: number})"
    else:
        shown, said = small_replay(), "Run this cell to scrub through training"
    fragment = re.sub(r"<script\b.*?</script>", "", shown._repr_html_(), flags=re.S)
    page = tmp_path / "untrusted.html"
    page.write_text(f"<!DOCTYPE html><html><body>{fragment}</body></html>", encoding="utf-8")
    browser.get(page.as_uri())
    text = browser.find_element(By.TAG_NAME, "body").text
    assert said in text
    if what == "exercise":
        assert "Blanks: " in text and EVIL[:20] in text  # the label, as text
    assert '"caption"' not in text and "->" not in text  # no data or drawing as text soup
    assert browser.find_elements(By.TAG_NAME, "input") == []
    size = browser.execute_script(
        "const img = document.querySelector('img.ag-still');"
        "return img.complete ? [img.naturalWidth, img.getBoundingClientRect().height] : null"
    )
    assert size and size[0] > 300 and size[1] > 50


# --------------------------------------------------------------------- the training replay


def test_the_replay_slider_moves_the_graph_and_the_loss_marker(browser, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2))
    y = np.tanh(x[:, 0] - x[:, 1])
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    replay = viz.TrainingReplay(model, [0.5, -0.5], 0.8, loss=mse)
    weights = []
    for _ in range(60):
        loss = mse(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        replay.record(loss=loss)
        weights.append(model.layers[0].neurons[0].w[0].data)
    open_page(browser, replay.save_html(tmp_path / "training.html"))
    slider = browser.find_element(By.CSS_SELECTOR, "input[type=range]")
    frames = len(replay.steps)
    assert slider.get_attribute("max") == str(frames - 1)
    w = next(i for i, n in enumerate(replay._order) if n.label == "L0.N0.w0")

    def seen() -> dict:
        return browser.execute_script(
            "const box = document.querySelector('.ag-steps');"
            "const g = box.querySelector(`svg [id$='-a_v${arguments[0]}_data']`);"
            "const m = box.querySelector('.ag-curve circle');"
            "return {counter: box.querySelector('.ag-counter').textContent,"
            " caption: box.querySelector('.ag-caption').textContent,"
            " weight: g.querySelector('text').textContent.replace(/\\u00a0/g, ' ').trim(),"
            " marker: Number(m.getAttribute('cx'))};",
            w,
        )

    start = seen()
    assert start["counter"] == f"step 1 of {frames}"
    assert start["weight"] == f"data {viz.labels.format_number(weights[0])}"
    ActionChains(browser).click_and_hold(slider).move_by_offset(60, 0).release().perform()
    dragged = seen()
    k = int(slider.get_attribute("value"))
    assert k > 0 and dragged["counter"] == f"step {k + 1} of {frames}"  # the drag moved it
    step = replay.steps[k]
    assert dragged["caption"].startswith(f"Step {step} of 60: batch loss")
    assert dragged["weight"] == f"data {viz.labels.format_number(weights[step - 1])}"
    assert dragged["marker"] > start["marker"]  # the dot moved right along the curve
    slider.send_keys(Keys.END)
    assert seen()["weight"] == f"data {viz.labels.format_number(weights[-1])}"
    assert_clean(browser)
    assert browser.save_screenshot(str(tmp_path / "replay.png"))


def test_the_replay_page_shows_labels_as_text(browser, tmp_path):
    open_page(browser, small_replay().save_html(tmp_path / "training.html"))
    texts = browser.execute_script(
        "return [...document.querySelectorAll('.ag-view svg text')].map(t => t.textContent)"
    )
    assert f"{EVIL}.N0.w0" in texts
    assert_clean(browser)
