import pytest

from archembed.errors import ConfigError
from archembed.experiments.config import load_config, parse_config


def base(**changes):
    config = {
        "name": "t",
        "benchmarks": ["nb201/cifar10-valid"],
        "strategies": ["random", {"name": "bo", "params": {"q": 2}}],
        "encoders": ["onehot"],
        "seeds": 2,
        "queries": 10,
    }
    config.update(changes)
    return config


def test_protocol_defaults_and_shorthands():
    config = parse_config(base())
    search, test = config.benchmarks[0].requests()
    assert (search.dataset, search.metric, search.epoch) == ("cifar10-valid", "val_acc", 200)
    assert (test.dataset, test.metric, test.epoch) == ("cifar10", "test_acc", 200)
    assert config.seed_list() == [0, 1]
    assert config.strategies[1].params == {"q": 2}
    custom = parse_config(
        base(benchmarks=[{"name": "nb201/cifar100", "metric": "val_acc", "epoch": 12}])
    )
    assert custom.benchmarks[0].requests()[1] is None  # a custom metric has no implied test


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"seeds": 0}, "seeds"),
        ({"queries": 0}, "queries"),
        ({"strategies": [{"name": "bo", "parms": {}}]}, "strategies.0.parms"),
        ({"benchmarks": [{"name": "nb201"}]}, "benchmarks.0"),
        ({"strategies": [{"name": "bo", "encoders": ["a2v"]}]}, "strategies.0.encoders"),
        ({"name": "a b"}, "name"),
        ({"executor": "slurm"}, "executor"),
    ],
)
def test_errors_name_the_bad_field(changes, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        parse_config(base(**changes))


def test_yaml_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(listing)
