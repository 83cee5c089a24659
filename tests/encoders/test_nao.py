import numpy as np
import pytest
import torch

from archembed.encoders.base import load_encoder
from archembed.encoders.nao import NAOEncoder
from archembed.errors import ConfigError, CorruptFileError, TrainingDivergedError
from archembed.spaces.base import get_space


def _token_accuracy(encoder, graphs):
    ids = encoder.token_ids(graphs)
    with torch.no_grad():
        model = encoder.model_
        logits = model.reconstruction_logits(model.encode(ids), ids)
    return float((logits.argmax(-1) == ids).float().mean())


@pytest.fixture(scope="module")
def nb201_labelled(nb201_bench):
    graphs, values = nb201_bench.labels("cifar10-valid", "val_acc", epoch=200)
    order = np.random.default_rng(0).permutation(len(graphs))[:400]
    return [graphs[i] for i in order], values[order]


@pytest.fixture(scope="module")
def trained(nb201_labelled):
    graphs, values = nb201_labelled
    encoder = NAOEncoder("nb201", hidden=24, epochs=40, seed=1)
    before = NAOEncoder("nb201", hidden=24, epochs=0, seed=1).fit(graphs[:300])
    encoder.fit(graphs[:300], values[:300])
    return encoder, before


def test_training_learns_reconstruction_and_prediction(trained, nb201_labelled):
    encoder, untrained = trained
    graphs, values = nb201_labelled
    held_out = graphs[300:]
    assert _token_accuracy(encoder, held_out) > _token_accuracy(untrained, held_out) + 0.3
    predicted = encoder.predict(encoder.transform(held_out))
    assert np.corrcoef(predicted, values[300:])[0, 1] > 0.5
    decoded = encoder.decode(encoder.transform(held_out))
    to_decoded = np.mean([d.edit_distance(g) for d, g in zip(decoded, held_out)])
    to_other = np.mean([g.edit_distance(h) for g, h in zip(held_out, held_out[::-1])])
    assert to_decoded < to_other - 0.8


def test_ascent_raises_the_prediction(trained, nb201_labelled):
    encoder, _ = trained
    z = encoder.transform(nb201_labelled[0][:20])
    moved = encoder.ascend(z, 0.05)
    assert np.allclose(np.linalg.norm(moved - z, axis=1), 0.05, atol=1e-4)
    assert (encoder.predict(moved) > encoder.predict(z)).mean() > 0.9


def test_save_load_round_trip(trained, nb201_labelled, tmp_path):
    encoder, _ = trained
    encoder.save(tmp_path / "model")
    loaded = load_encoder(tmp_path / "model")
    assert isinstance(loaded, NAOEncoder) and loaded.hidden == 24
    graphs = nb201_labelled[0][:10]
    assert np.allclose(loaded.transform(graphs), encoder.transform(graphs))
    assert np.allclose(
        loaded.predict(loaded.transform(graphs)), encoder.predict(encoder.transform(graphs))
    )


def test_nb101_embeddings_and_decoding():
    space = get_space("nb101")
    cells = space.sample(64, np.random.default_rng(0))
    encoder = NAOEncoder(space, hidden=16, epochs=2).fit(cells)
    z = encoder.transform(cells)
    assert z.shape == (64, 16) and np.isfinite(z).all()
    decoded = encoder.decode(z)
    assert len(decoded) == 64
    assert all(d is None or space.is_valid(d) for d in decoded)


def test_bad_configuration_and_untrained_use():
    with pytest.raises(ConfigError, match="hidden size"):
        NAOEncoder("nb201", hidden=128)
    with pytest.raises(ConfigError, match="lambda"):
        NAOEncoder("nb201", lam=2.0)
    with pytest.raises(ConfigError, match="lr must be a finite number > 0, got nan"):
        NAOEncoder("nb201", lr=float("nan"))
    with pytest.raises(ConfigError, match="weight_decay"):
        NAOEncoder("nb201", weight_decay=-1.0)
    with pytest.raises(CorruptFileError, match="not trained"):
        NAOEncoder("nb201").transform(get_space("nb201").sample(1, np.random.default_rng(0)))


def test_a_nan_prediction_loss_stops_fine_tuning():
    graphs = get_space("nb201").sample(8, np.random.default_rng(0))
    encoder = NAOEncoder("nb201", hidden=16, epochs=2)
    with torch.no_grad():
        for weight in encoder.build().predictor.parameters():
            weight.fill_(float("nan"))
    with pytest.raises(TrainingDivergedError, match="epoch 1: prediction loss is nan"):
        encoder.fit(graphs, np.arange(8.0))


def test_an_interrupted_fit_resumes_bit_identical(nb201_labelled, tmp_path):
    graphs, values = nb201_labelled[0][:64], nb201_labelled[1][:64]
    straight = NAOEncoder("nb201", hidden=16, batch_size=16, seed=2).fit(graphs, values, epochs=3)
    checkpoint = tmp_path / "nao.pt"
    NAOEncoder("nb201", hidden=16, batch_size=16, seed=2).fit(
        graphs, values, epochs=2, checkpoint=checkpoint
    )
    resumed = NAOEncoder("nb201", hidden=16, batch_size=16, seed=2)
    resumed.fit(graphs, values, epochs=3, checkpoint=checkpoint)
    for name, value in straight.model_.state_dict().items():
        assert torch.equal(resumed.model_.state_dict()[name], value), name
    with pytest.raises(ConfigError, match="another configuration"):
        NAOEncoder("nb201", hidden=16, batch_size=8, seed=2).fit(
            graphs, values, epochs=3, checkpoint=checkpoint
        )
