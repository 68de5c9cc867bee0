"""The unit-cost library and the KPI table: shipped data, schema checks, indexing, `insats costs`."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from model.errors import InputError
from model.scenario import FUNDERS
from model.unit_costs import (
    COLUMNS,
    KPI_FILE,
    UNIT_COSTS_DIR,
    is_assumption,
    kpi_factor,
    list_groups,
    load_kpi,
    load_unit_costs,
    unit_costs_table,
)

runner = CliRunner()
GROUPS = list_groups()
KPI = load_kpi()

GOOD_COMPONENT = """
  - name: fs
    label: Försörjningsstöd
    kind: transfer
    when: out_of_work
    basis: fte
    payer: kommun
    payee: individen
    per_year: {value: 1000, source: "Socialstyrelsen 2013"}
"""


def write_group(tmp_path: Path, components: str, price_year: int = 2013) -> Path:
    path = tmp_path / "grupp.yaml"
    path.write_text(f"name: grupp\nlabel: Grupp\nprice_year: {price_year}\ncomponents:{components}",
                    encoding="utf-8")
    return path


# ---------------------------------------------------------------- the shipped library


def test_library_has_the_three_target_groups() -> None:
    """Young people outside work and studies, försörjningsstöd, activity/sickness compensation."""
    assert {"uvas", "forsorjningsstod", "aktivitets_sjukersattning"} <= set(GROUPS)
    assert "kpi" not in GROUPS


@pytest.mark.parametrize("name", GROUPS)
def test_every_shipped_unit_cost_has_a_source_and_a_price_year(name: str) -> None:
    """Each component cites a source (or says assumption: <reason>) and has an indexable price year."""
    group = load_unit_costs(name)
    assert group.name == name == Path(group.source_file).stem
    assert group.label and group.description
    for c in group.components:
        source = c.per_year.source.strip()
        assert len(source) > 20, f"{name}.{c.name}: source too thin: {source!r}"
        if source.lower().startswith("assumption"):
            assert source.partition(":")[2].strip(), f"{name}.{c.name}: assumption without reason"
        assert group.price_year_of(c) in KPI.index, f"{name}.{c.name}: price year not in KPI"
        assert c.label.strip()


@pytest.mark.parametrize("name", GROUPS)
def test_shipped_transfers_have_distinct_payer_and_payee(name: str) -> None:
    group = load_unit_costs(name)
    transfers = [c for c in group.components if c.kind == "transfer"]
    assert transfers
    for c in transfers:
        assert c.payer in FUNDERS and c.payee in FUNDERS
        assert c.payer != c.payee, f"{name}.{c.name}"


@pytest.mark.parametrize("name", GROUPS)
def test_production_is_wage_to_the_individual_and_contributions_to_the_state(name: str) -> None:
    """Total labour cost = gross wage (individen) + employer contributions (staten), 31,42 %."""
    group = load_unit_costs(name)
    prod = {c.payee: c for c in group.components if c.kind == "production"}
    assert set(prod) == {"individen", "staten"}
    for c in prod.values():
        assert (c.when, c.basis, c.payer) == ("in_work", "fte", None)
    wage = prod["individen"].per_year.value
    assert prod["staten"].per_year.value == pytest.approx(0.3142 * wage, abs=1.0)


@pytest.mark.parametrize("name", GROUPS)
def test_income_tax_on_the_wage_is_split_kommun_region_as_documented(name: str) -> None:
    """Municipal and regional tax on the wage keep the 20,74 : 11,39 split their sources state."""
    group = load_unit_costs(name)
    kommun = group.component("kommunalskatt").per_year.value
    region = group.component("regionskatt").per_year.value
    assert kommun / (kommun + region) == pytest.approx(20.74 / 32.13, abs=1e-4)
    assert group.component("jobbskatteavdrag").payer == "staten"


def test_resources_have_a_payer_and_no_payee() -> None:
    df = unit_costs_table()
    res = df[df["kind"] == "resource"]
    assert not res.empty
    assert res["payer"].isin(FUNDERS).all() and res["payee"].isna().all()


def test_assumptions_are_marked_in_their_source() -> None:
    """The figures without a public source say so (what docs/unit_costs.md lists as assumptions)."""
    df = unit_costs_table()
    flagged = set(df.loc[df["source"].map(is_assumption), "component"])
    assert {"handlaggning_forsorjningsstod", "halso_sjukvard"} <= flagged
    assert "arbetsgivaravgifter" not in flagged


# ---------------------------------------------------------------- KPI and indexing


def test_kpi_table_covers_2005_to_2024_with_its_source() -> None:
    assert set(range(2005, 2025)) <= set(KPI.years)
    assert "SCB" in KPI.source and KPI.base == "1980=100"
    assert KPI.value(2013) == pytest.approx(314.06)
    # years not read off SCB's table in full say so
    assert is_assumption(KPI.source_of(2005)) and is_assumption(KPI.source_of(2024))
    assert not is_assumption(KPI.source_of(2013))


@pytest.mark.parametrize("year", KPI.years)
def test_kpi_factor_of_a_year_to_itself_is_one(year: int) -> None:
    assert kpi_factor(year, year) == 1.0


def test_kpi_factor_is_multiplicative() -> None:
    """Indexing a → b → c equals a → c, and a → b → a returns the amount unchanged."""
    for a, b, c in itertools.product(KPI.years[::3], KPI.years[1::4], KPI.years[2::5]):
        assert kpi_factor(a, b) * kpi_factor(b, c) == pytest.approx(kpi_factor(a, c), rel=1e-12)
        assert kpi_factor(a, b) * kpi_factor(b, a) == pytest.approx(1.0, rel=1e-12)


def test_indexing_by_hand() -> None:
    """10 000 kr in 2013 prices is 10 000 × 403,70 / 314,06 = 12 854,23 kr in 2023 prices."""
    assert 10_000 * kpi_factor(2013, 2023) == pytest.approx(12_854.23, abs=0.01)
    # the listing indexes each component from its own price year
    df = unit_costs_table("forsorjningsstod", price_year=2023)
    row = df.set_index("component").loc["forsorjningsstod"]
    assert row["price_year"] == 2023
    assert row["per_year"] == pytest.approx(72_407 * 403.70 / 314.06, abs=0.01)  # 93 073,64 kr
    assert df.set_index("component").loc["lon", "per_year"] == pytest.approx(
        309_924 * 403.70 / 415.15, abs=0.01)


def test_kpi_factor_outside_the_table_names_the_years_covered() -> None:
    with pytest.raises(InputError) as err:
        kpi_factor(2013, 2031)
    (problem,) = err.value.problems
    assert problem.path == "index.2031" and problem.value == 2031
    assert f"{KPI.years[0]}–{KPI.years[-1]}" in problem.message
    assert problem.file == str(KPI_FILE)


# ---------------------------------------------------------------- malformed files


def test_loader_reports_every_problem_with_field_path_value_and_what_is_allowed(tmp_path: Path) -> None:
    path = write_group(tmp_path, """
  - name: lon
    label: Lön
    kind: produktion
    when: in_work
    basis: fte
    payee: individen
    per_year: 300000
  - name: fs
    label: FS
    kind: transfer
    when: outside
    basis: fte
    payer: kommunen
    payee: individen
    per_year: {value: 1000, source: "assumption:"}
""")
    with pytest.raises(InputError) as err:
        load_unit_costs(path)
    found = {p.path: p for p in err.value.problems}
    assert set(found) == {"components[0].kind", "components[0].per_year", "components[1].when",
                          "components[1].payer", "components[1].per_year.source"}
    assert all(p.file == str(path) and p.line for p in found.values())
    assert found["components[0].kind"].value == "produktion"
    assert "did you mean 'production'" in found["components[0].kind"].message
    assert "'in_work' or 'out_of_work'" in found["components[1].when"].message
    assert "'kommun'" in found["components[1].payer"].message
    assert "needs its source" in found["components[0].per_year"].message
    assert "needs its reason" in found["components[1].per_year.source"].message


def test_transfer_to_itself_and_other_actor_rules_are_rejected(tmp_path: Path) -> None:
    path = write_group(tmp_path, """
  - name: fs
    label: FS
    kind: transfer
    when: out_of_work
    basis: fte
    payer: kommun
    payee: kommun
    per_year: {value: 1000, source: "Socialstyrelsen"}
  - name: fs
    label: Handläggning
    kind: resource
    when: out_of_work
    basis: head
    payee: kommun
    per_year: {value: 1000, source: "assumption: ingen källa"}
  - name: avg
    label: Avgifter
    kind: production
    when: out_of_work
    basis: head
    payer: other
    per_year: {value: 1000, source: "Skatteverket"}
""", price_year=2031)
    with pytest.raises(InputError) as err:
        load_unit_costs(path)
    paths = sorted(p.path for p in err.value.problems)
    assert paths == sorted(["components[0].payee", "components[1].name", "components[1].payer",
                            "components[1].payee", "components[2].payee", "components[2].payer",
                            "components[2].when", "components[2].basis", "price_year"])
    msgs = {p.path: p.message for p in err.value.problems}
    assert "payer and payee are both 'kommun'" in msgs["components[0].payee"]
    assert "no KPI for 2031" in msgs["price_year"]


def test_a_good_file_loads_and_lists(tmp_path: Path) -> None:
    path = write_group(tmp_path, GOOD_COMPONENT)
    group = load_unit_costs(path)
    assert group.price_year_of(group.components[0]) == 2013
    df = unit_costs_table(path)
    assert list(df.columns) == COLUMNS
    assert df.iloc[0][["group", "component", "payer", "payee", "per_year"]].tolist() == [
        "grupp", "fs", "kommun", "individen", 1000.0]


def test_unknown_group_name_suggests_the_closest(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_unit_costs("uvsa")
    assert "did you mean 'uvas'" in err.value.problems[0].message


# ---------------------------------------------------------------- insats costs


def test_cli_costs_rejects_a_malformed_file_with_exit_code_2(tmp_path: Path) -> None:
    path = write_group(tmp_path, GOOD_COMPONENT.replace("payee: individen", "payee: kommun"))
    result = runner.invoke(app, ["costs", str(path), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    line = next(ln for ln in result.stderr.splitlines() if str(path) in ln)
    assert f"{path}:" in line and "components[0].payee:" in line and "(got 'kommun')" in line
    assert result.stdout == ""


def test_cli_costs_lists_every_group_in_swedish_by_default() -> None:
    result = runner.invoke(app, ["costs"])
    assert result.exit_code == 0, result.output
    for name in GROUPS:
        assert f"{name}: belopp per person och år" in result.stdout
    wage = next(ln for ln in result.stdout.splitlines() if ln.startswith("Bruttolön (ingångslön)"))
    assert "produktion" in wage and " – " in wage and "Individen" in wage
    assert "302 916 kr" in result.stdout and not re.search(r"\bnan\b", result.stdout)
    assert "Källor:" in result.stdout and "[1] " in result.stdout


def test_cli_costs_csv_and_json_are_the_tidy_table() -> None:
    import io
    import json

    import pandas as pd

    csv = runner.invoke(app, ["costs", "uvas", "--format", "csv", "--lang", "en"])
    assert csv.exit_code == 0, csv.output
    df = pd.read_csv(io.StringIO(csv.stdout))
    assert list(df.columns) == COLUMNS and set(df["group"]) == {"uvas"}
    js = runner.invoke(app, ["costs", "uvas", "--format", "json", "--price-year", "2024"])
    records = json.loads(js.stdout)
    assert {r["price_year"] for r in records} == {2024}
    assert len(records) == len(df)


def test_the_library_folder_is_inside_scenarios() -> None:
    """`insats validate scenarios/` checks these files too (tests/test_validation.py)."""
    assert UNIT_COSTS_DIR.parent.name == "scenarios" and KPI_FILE.parent == UNIT_COSTS_DIR


def test_validate_checks_unit_cost_files_and_the_kpi_table(tmp_path: Path) -> None:
    """`insats validate` knows a unit-cost group and the KPI table from a scenario file."""
    good = runner.invoke(app, ["validate", str(UNIT_COSTS_DIR)])
    assert good.exit_code == 0, good.output
    assert f"{KPI_FILE}: ok (KPI table, 2005–" in good.stdout
    assert all(f"{UNIT_COSTS_DIR / name}.yaml: ok (unit costs" in good.stdout for name in GROUPS)
    path = write_group(tmp_path, GOOD_COMPONENT.replace("kind: transfer", "kind: transferering"))
    bad = runner.invoke(app, ["validate", str(path)])
    assert bad.exit_code == 2
    assert f"{path}:7: components[0].kind: not allowed" in bad.stderr
