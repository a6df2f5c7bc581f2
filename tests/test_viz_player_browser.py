"""The step-through player in a real browser: Debian's chromium, headless, driven by selenium.

Frames advance by click and by keyboard, the highlight moves, gradients change as backward()
does, the view follows the visited node, nothing is fetched and nothing is logged as an
error. Skipped (with the reason) when chromium or chromedriver is missing; `.ci/run`
installs them so CI always runs these.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

import viz
from autograd import Value
from autograd.nn import MLP

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

selenium = pytest.importorskip("selenium", reason="selenium not installed (pip install -e .[dev])")
pytestmark = [
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
        "chromium-driver; .ci/run installs them)",
    ),
    pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz dot program"),
]

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # never let selenium-manager look for (download) one
    profile = tempfile.mkdtemp(prefix="ag-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1000,800",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    out = (x1 * w1 + x2 * w2 + b).tanh()
    out.label = "o"
    return out


def open_page(browser, tmp_path, root: Value) -> viz.BackwardSteps:
    steps = viz.backward_steps(root)
    path = steps.save_html(tmp_path / "steps.html")
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(path.as_uri())
    return steps


def state(browser) -> dict:
    """What the learner sees: counter, caption, lit fills, and every gradient text."""
    return browser.execute_script(
        """
        const box = document.querySelector('.ag-steps');
        const texts = {};
        box.querySelectorAll('g[id$="_grad"] text').forEach(t => {
          texts[t.closest('g').id.replace(/^ag\\w+-a_/, '')] = t.textContent.trim();
        });
        const lit = [...box.querySelectorAll('g[id$="_box"] polygon')]
          .filter(p => p.getAttribute('fill') === '#ffd8a8')
          .map(p => p.closest('g[id$="_box"]').id.replace(/^ag\\w+-a_/, ''));
        return {
          counter: box.querySelector('.ag-counter').textContent,
          caption: box.querySelector('.ag-caption').textContent,
          lit: [...new Set(lit)],
          grads: texts,
          viewBox: box.querySelector('svg').getAttribute('viewBox'),
        };
        """
    )


def test_click_and_keys_step_through_and_grads_change_as_backward_does(browser, tmp_path):
    out = neuron()
    steps = open_page(browser, tmp_path, out)
    n = len(steps)
    first = state(browser)
    assert first["counter"] == f"step 1 of {n}"
    assert first["caption"] == steps[0].caption
    assert first["lit"] == [f"v{steps[0].active}_box"]
    browser.find_element(By.XPATH, "//button[contains(., 'next')]").click()
    second = state(browser)
    assert second["counter"] == f"step 2 of {n}"
    assert second["lit"] == [f"v{steps[1].active}_box"]  # the highlight moved
    # keyboard anywhere on the page: End, Home, arrows
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.END)
    last = state(browser)
    assert last["counter"] == f"step {n} of {n}"
    out.backward()  # the real thing: the last frame shows exactly these gradients
    from viz.labels import grad_text

    for i, node in enumerate(steps.order):
        assert last["grads"][f"v{i}_grad"] == grad_text(node.grad), node.label
    body.send_keys(Keys.HOME)
    assert state(browser)["counter"] == f"step 1 of {n}"
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert state(browser)["counter"] == f"step 3 of {n}"
    body.send_keys(Keys.ARROW_LEFT)
    back = state(browser)
    assert back == second  # going back restores texts and highlight exactly
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_no_network_request_is_made(browser, tmp_path):
    open_page(browser, tmp_path, neuron())
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    urls = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert urls == []


def test_zoom_and_the_view_follows_the_visited_node(browser, tmp_path):
    model = MLP(2, [4, 4, 1], activation="tanh", seed=0)
    loss = (model([2.0, -1.0]) - 1.0) ** 2
    steps = open_page(browser, tmp_path, loss)
    before = state(browser)["viewBox"]
    browser.find_element(By.XPATH, "//button[text()='+']").click()
    zoomed = state(browser)["viewBox"]
    assert float(zoomed.split()[2]) < float(before.split()[2])  # a narrower view: zoomed in
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(len(steps)):
        body.send_keys(Keys.ARROW_RIGHT)
        inside = browser.execute_script(
            """
            const box = document.querySelector('.ag-steps');
            const lit = [...box.querySelectorAll('polygon')]
              .filter(p => p.getAttribute('fill') === '#ffd8a8')[0];
            const r = lit.getBoundingClientRect();
            const v = box.querySelector('.ag-view').getBoundingClientRect();
            return r.left < v.right && r.right > v.left && r.top < v.bottom && r.bottom > v.top;
            """
        )
        assert inside, state(browser)["counter"]


def test_text_is_readable_at_the_start(browser, tmp_path):
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    open_page(browser, tmp_path, (model([2.0, -1.0]) - 1.0) ** 2)
    height = browser.execute_script(
        "return document.querySelector('.ag-view svg text').getBoundingClientRect().height"
    )
    assert height >= 8  # px: the 12 pt text is shown at no less than ~3/4 of its size


def test_without_scripts_it_is_a_picture_with_one_line_saying_how_to_play(browser, tmp_path):
    # What GitHub or nbviewer shows, and JupyterLab for an untrusted output (which also
    # drops inline SVG: the still picture is an <img>): the HTML with every script removed.
    steps = viz.backward_steps(neuron())
    fragment = re.sub(r"<script\b.*?</script>", "", steps._repr_html_(), flags=re.S)
    fragment = re.sub(r"<svg\b.*?</svg>", "", fragment, flags=re.S)
    page = tmp_path / "untrusted.html"
    page.write_text(f"<!DOCTYPE html><html><body>{fragment}</body></html>", encoding="utf-8")
    browser.get(page.as_uri())
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "Run this cell to play it step by step" in text
    assert '"caption"' not in text and "->" not in text  # no data or drawing as text soup
    size = browser.execute_script(
        "const img = document.querySelector('img.ag-still');"
        "return img.complete ? [img.naturalWidth, img.getBoundingClientRect().height] : null"
    )
    assert size and size[0] > 300 and size[1] > 100  # the picture loaded, at its own size


def test_screenshot_of_the_player(browser, tmp_path):
    # Not an assertion about looks: a picture a developer can open (tmp_path/player.png).
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    open_page(browser, tmp_path, (model([2.0, -1.0]) - 1.0) ** 2)
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(3):
        body.send_keys(Keys.ARROW_RIGHT)
    assert browser.save_screenshot(str(tmp_path / "player.png"))
