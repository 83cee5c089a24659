import json

import pytest

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def test_query_end_to_end(run_cli, data_root):
    out = run_cli("query", "nb201", BEST, "--dataset", "cifar10-valid", "--epoch", "200", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["value"] == pytest.approx(91.5533, abs=1e-3)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ("query", "nb201", "|bad|", "--dataset", "cifar10-valid"),
            "not an NB201 architecture string",
        ),
        (("query", "nb999", BEST, "--dataset", "cifar10-valid"), "unknown benchmark"),
        (("query", "nb201", BEST, "--dataset", "cifar10-valid"), "choose one"),
        (("query", "nb201", BEST, "--dataset", "mnist", "--epoch", "200"), "unknown dataset"),
        (("sample", "nb999"), "unknown search space"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(run_cli, data_root, args, needle):
    out = run_cli(*args)
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_data_dir_names_the_variable(run_cli):
    out = run_cli(
        "query",
        "nb201",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
        "--dataset",
        "cifar10-valid",
        env={"ARCHEMBED_DATA": "/nonexistent/dir"},
    )
    assert out.returncode == 2
    assert "ARCHEMBED_DATA" in out.stderr and "Traceback" not in out.stderr


def test_data_list_reports_unavailable_benchmarks(run_cli):
    out = run_cli("data", "list", env={"ARCHEMBED_DATA": "/nonexistent/dir"})
    assert out.returncode == 0
    assert "unavailable: nb201" in out.stderr and "nasbench_g" in out.stdout


def test_sample_is_reproducible(run_cli):
    a = run_cli("sample", "nb201", "-n", "3", "--seed", "7")
    b = run_cli("sample", "nb201", "-n", "3", "--seed", "7")
    assert a.returncode == 0 and a.stdout == b.stdout and len(a.stdout.splitlines()) == 3


def test_query_json_has_numbers_and_null_for_the_seed_mean(run_cli, data_root):
    out = run_cli("query", "nb201", BEST, "--dataset", "cifar10-valid", "--epoch", "200", "--json")
    result = json.loads(out.stdout)
    assert result["epoch"] == 200 and result["seed"] is None
    assert isinstance(result["value"], float)


def test_data_list_json_stays_clean_while_importing(run_cli):
    out = run_cli("data", "list", "--json", env={"ARCHEMBED_DATA": "/nonexistent/dir"})
    listing = json.loads(out.stdout)
    assert out.returncode == 0
    assert all(isinstance(row["archs"], int) for row in listing["benchmarks"])
    assert "nb201" in {row["benchmark"] for row in listing["unavailable"]}


def test_data_import_shows_progress_and_quiet_hides_it(run_cli, data_root):
    out = run_cli("data", "import", "nb201-tagates", "--json")
    assert out.returncode == 0, out.stderr
    assert "importing benchmark nb201-tagates" in out.stderr
    (row,) = json.loads(out.stdout)
    assert row["benchmark"] == "nb201-tagates" and row["archs"] > 0 and row["values"] > 0
    quiet = run_cli("data", "import", "nb201-tagates", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and "nb201-tagates" in quiet.stdout
