"""viz.TrainingReplay: recording never changes training, the kept steps are bounded and evenly
spread, the frames hold the recorded numbers, and the page stays small. (The page in a real
browser: test_viz_pages_browser.py.)"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

import autograd
import viz
from autograd.data import make_moons
from autograd.losses import mse
from autograd.nn import MLP, Layer
from autograd.optim import Adam
from viz.labels import format_number

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")


def training(steps, replay_of=None, seed=0):
    """A 2-3-1 network trained on moons; yields (model, loss) after each step."""
    x, y = make_moons(40, noise=0.1, seed=seed)
    model = MLP(2, [3, 1], activation="tanh", seed=seed)
    optimizer = Adam(model.parameters(), lr=0.05)
    replay = replay_of(model, x, y) if replay_of else None
    for _ in range(steps):
        loss = mse(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if replay is not None:
            replay.record(loss=loss)
        yield model, loss, replay


def test_recording_never_changes_the_parameters_or_their_gradients():
    def make(model, x, y):
        return viz.TrainingReplay(model, x[0], y[0], loss=mse)

    for (plain, plain_loss, _), (watched, loss, _) in zip(
        training(25), training(25, replay_of=make), strict=True
    ):
        assert loss.data == plain_loss.data
        for (name, p), (_, q) in zip(
            plain.named_parameters(), watched.named_parameters(), strict=True
        ):
            assert p.data == q.data and p.grad == q.grad, name  # bit for bit


def test_each_kept_step_holds_the_samples_graph_at_that_steps_parameters():
    x0 = [0.3, -0.7]
    kept = {}
    trained = training(12, replay_of=lambda m, x, y: viz.TrainingReplay(m, x0, 1.0, loss=mse))
    for step, (model, loss, replay_so_far) in enumerate(trained, start=1):
        replay = replay_so_far
        w = model.layers[0].neurons[0].w[0]
        sample_loss = mse(model(x0), 1.0)
        (w_grad,) = autograd.grad(sample_loss, [w])
        kept[step] = (w.data, w_grad, loss.data, sample_loss.data)
    assert replay.steps == list(range(1, 13)) and replay.losses == [v[2] for v in kept.values()]
    for snapshot in replay._snapshots():
        i = next(k for k, n in enumerate(replay._order) if n.label == "L0.N0.w0")
        w_data, w_grad, _, sample_loss = kept[snapshot.step]
        assert snapshot.data[i] == w_data
        assert snapshot.grads[i] == pytest.approx(w_grad, rel=1e-12)
        assert snapshot.data[-1] == pytest.approx(sample_loss, rel=1e-12)


def test_many_steps_are_sampled_evenly_and_the_latest_is_kept():
    replay = viz.TrainingReplay(MLP(2, [3, 1], seed=0), [1.0, 2.0], 0.0, max_steps=50)
    for step in range(1, 1001):
        replay.record(loss=1.0 / step)
    steps = replay.steps
    assert len(steps) <= 50 and steps[0] == 1 and steps[-1] == 1000
    gaps = np.diff(steps[:-1])
    assert len(set(gaps.tolist())) == 1  # evenly spaced, then the latest
    assert len(replay.losses) == 1000  # the curve keeps every step


@needs_dot
def test_a_thousand_steps_of_a_2_3_1_network_make_a_page_under_2_mb(tmp_path):
    *_, (_, _, replay) = training(1000, replay_of=lambda m, x, y: viz.TrainingReplay(m, x[0], y[0]))
    path = replay.save_html(tmp_path / "training.html")
    size = path.stat().st_size
    assert 100_000 < size < 2_000_000, size
    page = path.read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/json" class="ag-data">(.*?)</script>', page).group(1)
    )
    assert len(data["frames"]) == len(replay.steps) == len(data["marks"])
    assert 'type="range"' not in page  # the slider is made by the script, as the player's
    # Applying the frames in order gives each kept step's own numbers (the player's rule).
    texts = {}
    last = replay._snapshots()[-1]
    for frame in data["frames"]:
        texts.update(frame["set"])
    for i, node in enumerate(replay._order):
        assert texts[f"a_v{i}_data"] == f"data {format_number(last.data[i])}", node.label
    assert data["frames"][-1]["caption"].startswith("Step 1000 of 1000: batch loss")


def test_mistakes_are_clear_errors():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="x must hold the model's 2 inputs, got 3"):
        viz.TrainingReplay(model, [1.0, 2.0, 3.0], 0.0)
    with pytest.raises(TypeError, match="x must be one sample"):
        viz.TrainingReplay(model, "12", 0.0)
    with pytest.raises(TypeError, match="must return one number as a Value"):
        viz.TrainingReplay(model, [1.0, 2.0], 0.0, loss=lambda p, t: 1.0)
    with pytest.raises(ValueError, match="max_steps must be an int"):
        viz.TrainingReplay(model, [1.0, 2.0], 0.0, max_steps=1)
    replay = viz.TrainingReplay(model, [1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="nothing to replay"):
        replay.to_html()
    model.layers[-1] = Layer(3, 1, activation="relu", name="L1")  # another graph: one more op
    with pytest.raises(RuntimeError, match="changed shape"):
        replay.record()
    with pytest.raises(TypeError, match="expected a number"):
        viz.TrainingReplay(MLP(2, [1]), [1.0, 2.0], 0.0).record(loss="0.5")


def test_the_loss_curve_marks_each_kept_step():
    from viz.replay import CURVE_WIDTH, loss_curve

    curve = loss_curve([4.0, 3.0, 2.0, 1.0], [1, 2, 4], "p-")
    xs = [x for x, _ in curve["marks"]]
    ys = [y for _, y in curve["marks"]]
    assert xs == sorted(xs) and xs[-1] <= CURVE_WIDTH and ys == sorted(ys)  # loss falls
    assert "<script" not in curve["curve"] and "p-marker" in curve["curve"]
