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


def test_types_are_strict_and_sizes_bounded():
    for changes, message in [
        ({"seeds": "3"}, "got '3'"),
        ({"seeds": 10**10}, "from 1 to 10000"),
        ({"queries": True}, "valid integer"),
        ({"seconds": float("nan")}, "finite"),
        ({"workers": 10**6}, "less than or equal to 256"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_config(base(**changes))
    assert parse_config(base(seeds=[3, 7])).seed_list() == [3, 7]


def test_command_line_overrides_are_validated_like_the_file(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text("name: e\nbenchmarks: [nb201/cifar10-valid]\nstrategies: [random]\n")
    assert load_config(path, {"seeds": 3, "workers": 1}).seed_list() == [0, 1, 2]
    with pytest.raises(ConfigError, match=r"e\.yaml: workers"):
        load_config(path, {"workers": 0})
