"""A model trained on single DARTS cells embeds whole genotypes (normal and reduction cell)."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.encoders.arch2vec import Arch2Vec
from archembed.encoders.cellwise import CellwiseEncoder, encoder_for_space
from archembed.encoders.embedding import embed_to_parquet, read_embeddings, select_graphs
from archembed.errors import InvalidArchitectureError
from archembed.spaces import get_space


@pytest.fixture(scope="module")
def cell_model(tmp_path_factory):
    space = get_space("darts_cell")
    graphs = space.sample(64, np.random.default_rng(0))
    model = Arch2Vec(space, hidden=(16,), latent_dim=4, epochs=1, validity_samples=0)
    directory = tmp_path_factory.mktemp("cell-model")
    model.fit(graphs, progress=False).save(directory)
    return model, directory


def test_genotype_embedding_is_its_two_cell_embeddings(cell_model, tmp_path) -> None:
    model, directory = cell_model
    darts = get_space("darts")
    genotypes = darts.sample(5, np.random.default_rng(1))
    archs = tmp_path / "genotypes.txt"
    archs.write_text("\n".join(darts.to_native(g) for g in genotypes) + "\n")
    encoder, graphs = select_graphs(str(directory), space="darts", archs=archs)
    assert isinstance(encoder, CellwiseEncoder) and graphs == genotypes
    vectors = encoder.transform(graphs)
    normal = model.transform([darts.cells(g)[0] for g in genotypes])
    reduce = model.transform([darts.cells(g)[1] for g in genotypes])
    assert vectors.shape == (5, 8)
    assert np.allclose(vectors, np.hstack([normal, reduce]), atol=1e-6)
    info = embed_to_parquet(encoder, graphs, tmp_path / "emb.parquet", source=str(directory))
    ids, natives, matrix, meta = read_embeddings(tmp_path / "emb.parquet")
    assert meta["space"] == "darts" and meta["dim"] == 8 and info["encoder"] == "arch2vec"
    assert natives == archs.read_text().splitlines() and np.allclose(matrix, vectors)
    assert ids == [darts.identity(g) for g in genotypes]


def test_other_spaces_still_get_the_space_error(cell_model) -> None:
    model, _ = cell_model
    assert encoder_for_space(model, "darts_cell") is model
    with pytest.raises(InvalidArchitectureError, match="trained on space 'darts_cell'"):
        encoder_for_space(model, "nb201")


def test_a_cell_model_evaluates_on_nas_bench_301_genotypes(cell_model, data_root, tmp_path) -> None:
    from archembed.benchmarks import load_benchmark
    from archembed.evaluation.report import EvaluationSettings, evaluate_model

    model, _ = cell_model
    settings = EvaluationSettings(
        dataset="cifar10", samples=200, seeds=2, walk_steps=30, tsne_points=50, projection="pca"
    )
    bench = load_benchmark("naslib-nb301", data_root)
    summary = evaluate_model(model, bench, settings, tmp_path, progress=False)
    assert summary["space"] == "darts" and summary["model_space"] == "darts_cell"
    assert 0 <= summary["pretraining"]["train"]["paper_validity"] <= 1
    assert np.isfinite(summary["predictive"]["pearson_mean"])
    assert len(summary["neighbours"]["edit_to_previous"]) == settings.chain_length - 1
    assert (tmp_path / "pretraining.json").is_file() and (tmp_path / "pca.png").is_file()
