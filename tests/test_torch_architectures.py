"""Modern PyTorch models written for this test (not in the labelled corpus the thresholds were
tuned on), trained for real and logged with ``log_histograms`` (parameters, buffers,
gradients, layer outputs on a probe):
a residual CNN with BatchNorm, a transformer encoder (GELU, LayerNorm, dropout, AdamW), a GRU
over embeddings, and a bidirectional LSTM read at its last position, a common mistake: there
the reverse direction has seen one token, from a zero state, so its recurrent weights get an
exactly zero gradient. Two more mistakes: the transformer at a learning rate far too high
(SGD at 5: NaN), the residual CNN with an optimizer given the head's parameters only, and
the GRU with every parameter set to one value (each gate's units stay copies). The
healthy ones raise no alarm; each mistake is found where it is."""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")

from torch import nn  # noqa: E402
from torch.utils.tensorboard import SummaryWriter  # noqa: E402

import tb_histdiag  # noqa: E402
from tb_histdiag.torch_logging import log_histograms  # noqa: E402

STEPS = 200
LOG_EVERY = 20


class _Block(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        return torch.relu(x + self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))))


class ResNet(nn.Module):
    """The stem's convolution keeps its bias before BatchNorm: redundant, said as info."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)
        self.block1, self.block2 = _Block(16), _Block(16)
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc(self.block2(self.block1(torch.relu(self.bn(self.stem(x))))).mean((2, 3)))


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 32)
        self.pos = nn.Parameter(torch.zeros(24, 32))
        layer = nn.TransformerEncoderLayer(
            32, 4, 64, dropout=0.1, batch_first=True, activation="gelu"
        )
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        return self.head(self.enc(self.emb(x) + self.pos).mean(1))


class Recurrent(nn.Module):
    def __init__(self, kind: str):
        super().__init__()
        self.emb = nn.Embedding(20, 16)
        bidirectional = kind == "bilstm"
        cell = nn.LSTM if bidirectional else nn.GRU
        self.rnn = cell(16, 32, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(64 if bidirectional else 32, 2)

    def forward(self, x):
        return self.fc(self.rnn(self.emb(x))[0][:, -1])  # the last position of every direction


def _data():
    g = torch.Generator().manual_seed(0)
    images = torch.randn(1024, 3, 16, 16, generator=g)
    images += 0.3 * torch.randn(1024, 3, 1, 1, generator=g)
    tokens = torch.randint(0, 20, (1024, 24), generator=g)
    return {
        "images": (images, images.mean((2, 3)).argmax(1)),  # the brightest channel
        "tokens": (tokens, ((tokens == 3).sum(1) > (tokens == 5).sum(1)).long()),
    }


def _sgd(lr: float):
    return lambda params, lr=lr: torch.optim.SGD(params, lr=lr)


MODELS = {
    "resnet": (ResNet, "images", torch.optim.Adam, 1e-3),
    "resnet_head_only": (ResNet, "images", "head_only", 1e-3),
    "transformer_lr_high": (Transformer, "tokens", _sgd(5.0), 5.0),
    "gru_constant": (lambda: Recurrent("gru"), "tokens", "constant_init", 3e-3),
    "transformer": (Transformer, "tokens", torch.optim.AdamW, 1e-3),
    "gru": (lambda: Recurrent("gru"), "tokens", torch.optim.Adam, 3e-3),
    "bilstm": (lambda: Recurrent("bilstm"), "tokens", torch.optim.Adam, 3e-3),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("torch_architectures"))
    data = _data()
    for name, (build, kind, optimizer_class, lr) in MODELS.items():
        torch.manual_seed(0)
        model = build()
        if optimizer_class == "head_only":
            optimizer = torch.optim.Adam(model.fc.parameters(), lr=lr)
        elif optimizer_class == "constant_init":  # every parameter set to 0.05
            with torch.no_grad():
                for p in model.parameters():
                    p.fill_(0.05)
            optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        else:
            optimizer = optimizer_class(model.parameters(), lr=lr)
        x, y = data[kind]
        g = torch.Generator().manual_seed(1)
        writer = SummaryWriter(os.path.join(logdir, name))
        for step in range(STEPS):
            batch = torch.randint(0, len(x), (64,), generator=g)
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            if step % LOG_EVERY == 0:
                log_histograms(writer, model, step, probe=x[:128])
                writer.add_scalar("loss", loss.item(), step)
            optimizer.step()
        writer.close()
    return {run.run: run for run in tb_histdiag.diagnose(logdir).runs}


def _findings(run):
    found = [(t.tag, v.id, v.severity) for t in run.tags for v in t.verdicts]
    found += [(layer.layer, v.id, v.severity) for layer in run.layers for v in layer.verdicts]
    return found + [("(run)", v.id, v.severity) for v in run.verdicts]


@pytest.mark.parametrize("name", ["transformer", "gru"])
def test_healthy_sequence_models_are_clean(runs, name):
    run = runs[name]
    assert not run.loss.flat, run.loss
    assert _findings(run) == []
    roles = {t.role for t in run.tags}
    assert roles >= {"weight", "bias", "gradient", "preactivation"}


def test_a_residual_cnn_only_hears_that_its_stem_bias_is_redundant(runs):
    run = runs["resnet"]
    assert not run.loss.flat, run.loss
    assert sorted(_findings(run)) == [
        ("stem.bias", "redundant_bias", "info"),
        ("stem.bias.grad", "redundant_bias", "info"),
    ]


def test_a_bidirectional_lstm_read_at_its_last_position_has_a_dead_reverse_recurrence(runs):
    run = runs["bilstm"]
    assert not run.loss.flat, run.loss  # the forward direction learns the task alone
    # The LSTM's hidden states (its own tanh applied) are activations, not pre-activations.
    assert next(t for t in run.tags if t.tag == "rnn/activations").role == "activation"
    found = {(tag, vid) for tag, vid, severity in _findings(run) if severity != "info"}
    assert found == {
        ("rnn.weight_hh_l0_reverse", "frozen"),
        ("rnn.weight_hh_l0_reverse.grad", "vanishing"),
    }
    gradient = next(t for t in run.tags if t.tag == "rnn.weight_hh_l0_reverse.grad")
    assert gradient.verdicts[0].title == "Gradients are exactly 0"


def test_an_optimizer_given_only_the_head_is_told_as_only_the_last_layer_learning(runs):
    run = runs["resnet_head_only"]
    (verdict,) = run.verdicts
    assert (verdict.id, verdict.severity) == ("last_layer_only", "warning")
    assert verdict.title == "Only the last layer learns; the 5 layers before it are frozen"
    frozen = {t.tag for t in run.tags if any(v.id == "frozen" for v in t.verdicts)}
    assert {"stem.weight", "block1.conv1.weight", "block2.conv2.weight", "bn.weight"} <= frozen
    assert not any(t.verdicts for t in run.tags if t.tag.startswith("fc."))


def test_a_learning_rate_far_too_high_is_told_as_nan_from_where_it_starts(runs):
    run = runs["transformer_lr_high"]
    assert run.loss.nonfinite
    first = {v.id for t in run.tags for v in t.verdicts[:1]}
    assert first == {"nonfinite"}  # no zero-initialised bias is called constant on the way
    steps = {v.evidence["first_nonfinite_step"] for t in run.tags for v in t.verdicts[:1]}
    assert steps == {LOG_EVERY}


def test_a_gru_initialised_to_one_value_keeps_one_value_per_gate(runs):
    """Its three gates get different updates, so the kernels end in three spikes, each of
    fan-in x units identical values: too few buckets for the usual symmetry signature, a
    divisor (512, 1024) no chance gives."""
    tags = {t.tag: t for t in runs["gru_constant"].tags}
    for tag, groups in (("rnn.weight_ih_l0", 512), ("rnn.weight_hh_l0", 1024)):
        (verdict,) = tags[tag].verdicts
        assert (verdict.id, verdict.severity) == ("constant", "critical"), tag
        assert verdict.evidence["count_gcd"] == groups
        assert verdict.title == f"Weights repeat in groups of {groups}: symmetry never broken"
