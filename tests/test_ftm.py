"""``cases export ftm``: FollowTheMoney entities, each one checked against the
``followthemoney`` library's model (a test extra: the export itself needs only
the standard library)."""

from __future__ import annotations

import csv
import json
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from followthemoney.types import registry
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SAMPLE_DATA, dump, sample_rows

# every test runs on a file and on a team database
pytestmark = pytest.mark.usefixtures("engine")

# The schemata the contract names, and FtM's "other link" for the links it has no
# property for (a ruling's trial, an appeal, a source relayed).
SCHEMATA = {
    "Person",
    "Organization",
    "CourtCase",
    "CourtCaseParty",
    "Event",
    "Family",
    "Associate",
    "Membership",
    "Representation",
    "Article",
    "Documentation",
    "UnknownLink",
}

Entities = list[dict[str, Any]]


def export(run: Any, *args: str) -> Entities:
    """``cases export ftm ARGS`` on stdout, one JSON object a line."""
    result = run("export", "ftm", *args)
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith('{"id":') for line in lines)
    return [json.loads(line) for line in lines]


def problems(entities: Entities) -> list[tuple[Any, ...]]:
    """What the followthemoney model refuses in ENTITIES: an unknown schema or
    property, a value its type does not accept, a missing required property, a
    reference to no entity written or to one outside the property's range, a
    value FtM's own cleaning drops, an id used twice."""
    found: list[tuple[Any, ...]] = []
    schemata = {}
    for data in entities:
        if data["id"] in schemata:
            found.append((data["id"], "id used twice"))
        schemata[data["id"]] = data["schema"]
        if not registry.entity.validate(data["id"]):
            found.append((data["id"], "bad id"))
    for data in entities:
        schema = model.get(data["schema"])
        if schema is None or data["schema"] not in SCHEMATA:
            found.append((data["id"], "schema", data["schema"]))
            continue
        properties = data["properties"]
        found += [(data["id"], "missing", name) for name in set(schema.required) - set(properties)]
        for name, values in properties.items():
            prop = schema.get(name)
            if prop is None or prop.stub or not values:
                found.append((data["id"], "property", name))
                continue
            for value in values:
                if not prop.type.validate(value):
                    found.append((data["id"], name, value))
                if prop.type == registry.entity:
                    target = schemata.get(value)
                    if target is None:
                        found.append((data["id"], name, value, "points at nothing"))
                    elif not model.get(target).is_a(prop.range):
                        found.append((data["id"], name, value, f"a {target}"))
        proxy = model.get_proxy(data, cleaned=False)
        for name, values in properties.items():
            if len(proxy.get(name, quiet=True)) != len(values):
                found.append((data["id"], name, "values dropped by FtM", values))
    return found


def by_id(entities: Entities) -> dict[str, dict[str, Any]]:
    return {data["id"]: data for data in entities}


def notes(data: dict[str, Any]) -> str:
    properties = data["properties"]
    return "\n".join(properties.get("notes", []) + properties.get("description", []))


def sample(table: str) -> list[dict[str, str]]:
    with (SAMPLE_DATA / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sample_uid(table: str, **values: str) -> str:
    """The uid of the sample's row of TABLE with these values."""
    rows = [row for row in sample(table) if all(row[k] == v for k, v in values.items())]
    assert len(rows) == 1, (table, values)
    return f"cases-{rows[0]['uid']}"


def test_every_entity_of_the_sample_is_valid_ftm(run: Any) -> None:
    run("init", "--sample")
    entities = export(run)
    assert problems(entities) == []
    assert {data["schema"] for data in entities} == SCHEMATA - {"Associate"}


def test_counts_per_schema_follow_the_records(run: Any) -> None:
    run("init", "--sample")
    counts = Counter(data["schema"] for data in export(run))
    relations = Counter(row["kind"] for row in sample("relations"))
    family = sum(relations[kind] for kind in ("parent", "child", "sibling", "spouse", "relative"))
    part_of = sum(1 for row in sample("organisations") if row["part_of_uid"])
    courts = sum(1 for row in sample("trials") if row["court_org_uid"])
    links = (
        sum(1 for row in sample("rulings") if row["trial_uid"])
        + sum(1 for row in sample("rulings") if row["appeal_of_uid"])
        + sum(1 for row in sample("events") if row["trial_uid"])
        + sum(1 for row in sample("sources") if row["relays_uid"])
    )
    named_only = sum(
        1
        for row in sample("trial_parties")
        if not (row["person_uid"] or row["org_uid"] or row["name_person_uid"])
    )
    trials = {row["uid"] for row in sample("trials")}
    trial_participants = sum(1 for row in sample("participants") if row["fact_uid"] in trials)
    assert counts == {
        "Person": sample_rows("people") + named_only,
        "Organization": sample_rows("organisations"),
        "Article": sample_rows("sources"),
        "CourtCase": sample_rows("trials"),
        "CourtCaseParty": sample_rows("trial_parties") + courts + trial_participants,
        "Event": sum(
            sample_rows(t)
            for t in ("rulings", "asylum", "detentions", "events", "communications", "whereabouts")
        ),
        "Family": family,
        "Representation": relations["lawyer"],
        "Membership": sample_rows("relations") - family - relations["lawyer"] + part_of,
        "UnknownLink": links,
        "Documentation": sample_rows("citations"),
    }


def test_the_sample_maps_as_the_readme_says(run: Any) -> None:
    run("init", "--sample")
    entities = by_id(export(run))
    sauytbay = entities[sample_uid("people", name="Sairagul Sauytbay")]
    assert sauytbay["properties"]["alias"] == ["Sayragul Sauytbay"]
    assert sauytbay["properties"]["citizenship"] == ["cn"]
    kuspanov = sample_uid("people", name="Abzal Kuspanov")
    lawyer = next(d for d in entities.values() if d["schema"] == "Representation")
    assert lawyer["properties"]["agent"] == [kuspanov]
    assert lawyer["properties"]["client"] == [sauytbay["id"]]
    mother = sample_uid("people", description="Qaisha Aqan's mother")
    family = next(d for d in entities.values() if d["properties"].get("relative") == [mother])
    assert family["properties"]["relationship"] == ["parent"]
    assert family["properties"]["person"] == [sample_uid("people", name="Qaisha Aqan")]
    assert entities[mother]["properties"]["name"] == ["[Qaisha Aqan's mother]"]

    # what FtM has no property for: a sentence, a decision, a detention's kind, a reliability
    ruling = entities[sample_uid("rulings", sentence="six months in a labor camp")]
    assert ruling["properties"]["summary"] == ["six months in a labor camp"]
    assert "Sentence length: 6 months" in notes(ruling)
    assert "Deportation: refused" in notes(ruling)
    trial_link = entities[ruling["id"] + ".trial"]
    assert trial_link["schema"] == "UnknownLink"
    assert entities[trial_link["properties"]["object"][0]]["schema"] == "CourtCase"
    denial = entities[sample_uid("asylum", decision="denied")]
    assert denial["properties"]["summary"] == ["Asylum decision: denied (Kazakhstan)"]
    assert denial["properties"]["organizer"] == [
        sample_uid("organisations", name="migration committee")
    ]
    camp = entities[sample_uid("detentions", kind="camp")]
    assert camp["properties"]["summary"] == ["Detention: camp"]
    for source in sample("sources"):
        article = entities[f"cases-{source['uid']}"]
        assert (f"Reliability: {source['reliability']}" in notes(article)) == bool(
            source["reliability"]
        )
    # a citation of an alias documents the person who has it
    alias = next(row for row in sample("aliases") if row["name"] == "Sayragul Sauytbay")
    cited = [row for row in sample("citations") if row["record_uid"] == alias["uid"]]
    for citation in cited:
        documentation = entities[f"cases-{citation['uid']}"]
        assert documentation["properties"]["entity"] == [sauytbay["id"]]
        assert documentation["properties"]["role"] == ["alias"]
    assert cited


def test_a_date_is_its_truest_prefix_and_the_recorded_date_is_kept(run: Any) -> None:
    run("init", "--sample")
    entities = by_id(export(run))
    for source in sample("sources"):
        article = entities[f"cases-{source['uid']}"]
        if source["date"] == "2018-10?":
            assert article["properties"]["publishedAt"] == ["2018-10"]
            assert "Published: 2018-10? (Oct 2018?)" in notes(article)
        if source["date"] == "2019-01-28":
            assert article["properties"]["publishedAt"] == ["2019-01-28"]
            assert "Published" not in notes(article)
    aqan = entities[sample_uid("people", name="Qaisha Aqan")]
    assert "birthDate" not in aqan["properties"]  # no year is true of all of it
    assert "Born: 1982-11-13/1983-11-12" in notes(aqan)
    run("add", "person", "Test Person", "--born", "about 1982")
    run("add", "detention", "Test Person", "--start", "before 2019-03", "--end", "2019-08-01")
    entities = by_id(export(run))
    person = next(d for d in entities.values() if d["properties"]["name"] == ["Test Person"])
    assert person["properties"]["birthDate"] == ["1982"]
    assert "Born: 1982~ (c. 1982)" in notes(person)
    detention = next(
        d for d in entities.values() if d["properties"].get("involved") == [person["id"]]
    )
    assert "startDate" not in detention["properties"]
    assert detention["properties"]["endDate"] == ["2019-08-01"]
    assert "Start: ../2019-03 (before Mar 2019)" in notes(detention)


@given(st.dates(), st.dates())
def test_a_prefix_is_true_of_every_day_and_none_longer_is(first: Any, second: Any) -> None:
    from cases.service.ftm import date_prefix

    earliest, latest = sorted((first.isoformat(), second.isoformat()))
    prefix = date_prefix(earliest, latest)
    longer = [length for length in (4, 7, 10) if earliest[:length] == latest[:length]]
    if prefix is None:
        assert not longer
    else:
        assert earliest.startswith(prefix) and latest.startswith(prefix)
        assert len(prefix) == max(longer)


def test_private_records_stay_out_unless_asked_for(run: Any) -> None:
    run("add", "person", "Public Person", "--source", "https://example.org/public")
    run(
        "add",
        "person",
        "Zhanna Secretova",
        "--private",
        "--alias",
        "Zhanna S.",
        "--citizenship",
        "Kazakhstan",
        "--source",
        "https://secret.example/report",
    )
    run("add", "detention", "Zhanna Secretova", "--start", "2019-03", "--kind", "camp")
    run("add", "relation", "Public Person", "Zhanna Secretova", "--kind", "sibling")
    run("add", "trial", "Public Person", "--court", "court in Zharkent", "--judge", "Zhanna S.")
    public = export(run)
    text = json.dumps(public)
    assert "Secretova" not in text and "Zhanna" not in text and "secret.example" not in text
    assert {d["schema"] for d in public} == {
        "Person",
        "Article",
        "CourtCase",
        "CourtCaseParty",
        "Documentation",
    }
    assert problems(public) == []
    everything = export(run, "--include-private")
    assert problems(everything) == []
    secret = next(d for d in everything if d["properties"].get("name") == ["Zhanna Secretova"])
    assert secret["properties"]["alias"] == ["Zhanna S."]
    assert "Private: this record is private" in notes(secret)
    assert {d["schema"] for d in everything} >= {d["schema"] for d in public} | {"Family", "Event"}


def test_links_without_an_ftm_home_keep_what_they_are(run: Any) -> None:
    """A judge named only as text, someone else taking part in a trial or an event,
    a cited relation: each is written where FtM can take it, and valid."""
    run("init", "--sample")
    run(
        "add",
        "trial",
        "Serikzhan Bilash",
        "--court",
        "court in Almaty",
        "--judge",
        "Judge Unrecorded",
        "--with",
        "Freedom Now=witness",
    )
    run(
        "add",
        "event",
        "Serikzhan Bilash",
        "Spoke to reporters",
        "--date",
        "2020-02",
        "--kind",
        "statement",
        "--with",
        "AFP=addressee",
        "--with",
        "Atazhurt Volunteers=organizer",
    )
    run("cite", "L1", "--source", "S1", "--quote", "his lawyer", "--page", "2")
    run("add", "relation", "Serikzhan Bilash", "Abzal Kuspanov", "--kind", "associate")
    run("add", "relation", "Adam Lhedmat", "Freedom Now", "--kind", "member", "--since", "2019?")
    run("add", "relation", "United Nations", "Freedom Now", "--kind", "member")
    entities = export(run)
    assert problems(entities) == []
    found = by_id(entities)
    judge = next(d for d in entities if d["properties"].get("name") == ["Judge Unrecorded"])
    assert judge["schema"] == "Person" and judge["id"].endswith(".person")
    party = next(d for d in entities if d["properties"].get("party") == [judge["id"]])
    assert party["properties"]["role"] == ["judge"]
    freedom_now = sample_uid("organisations", name="Freedom Now")
    witness = next(d for d in entities if d["properties"].get("party") == [freedom_now])
    assert witness["properties"]["role"] == ["witness"]
    event = next(d for d in entities if d["properties"].get("summary") == ["Spoke to reporters"])
    assert event["properties"]["organizer"] == [
        sample_uid("organisations", name="Atazhurt Volunteers")
    ]
    assert sample_uid("organisations", name="AFP") in event["properties"]["involved"]
    assert "(addressee)" in notes(event)
    relation = next(d for d in entities if d["properties"].get("summary") == ["his lawyer"])
    assert relation["properties"]["role"] == ["relation: lawyer"]
    assert found[relation["properties"]["entity"][0]]["schema"] == "Person"
    assert "Page: 2" in notes(relation)
    associate = next(d for d in entities if d["schema"] == "Associate")
    assert associate["properties"]["relationship"] == ["associate"]
    lhedmat, un = (
        sample_uid("people", name="Adam Lhedmat"),
        sample_uid("organisations", name="United Nations"),
    )
    memberships = [d["properties"] for d in entities if d["schema"] == "Membership"]
    assert {"member": [freedom_now], "organization": [un], "role": ["member"]} in memberships
    # a person whose "member" is an organisation: written the FtM way round, as recorded
    recorded = next(d for d in memberships if d.get("startDate") == ["2019"])
    assert recorded["member"] == [lhedmat] and recorded["organization"] == [freedom_now]
    assert "the organisation is the person's member" in recorded["description"][0]
    assert "Since: 2019?" in recorded["description"][0]


def test_values_ftm_would_refuse_go_into_the_notes(run: Any) -> None:
    long_number = "A" * 80
    long_title = "Title " * 200
    run("add", "source", long_title, "--language", "ug", "--url", "https://exa mple.org/x")
    run("add", "person", "Nomad", "--citizenship", "Atlantis", "--ethnicity", "Kazakh\u200b")
    run("add", "trial", "Nomad", "--court", "court", "--case-number", long_number)
    entities = export(run)
    assert problems(entities) == []
    article = next(d for d in entities if d["schema"] == "Article")
    assert "title" not in article["properties"] and "language" not in article["properties"]
    assert "Language: ug" in notes(article) and "URL: https://exa mple.org/x" in notes(article)
    assert long_title.strip() in notes(article)
    nomad = next(d for d in entities if d["schema"] == "Person")
    assert "Citizenship: Atlantis" in notes(nomad)
    assert nomad["properties"]["ethnicity"] == ["Kazakh"]
    case = next(d for d in entities if d["schema"] == "CourtCase")
    assert f"Case number: {long_number}" in notes(case)


@pytest.mark.sqlite_only("writes beside the database file")
def test_out_writes_a_private_file_and_never_overwrites_unasked(
    run: Any, tmp_path: Path, database: Path, fails_cleanly: Any
) -> None:
    run("init", "--sample")
    target = tmp_path / "cases.ftm.json"
    result = run("export", "ftm", "--out", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert f"wrote {len(lines)} entities to {target}" in " ".join(result.stdout.split())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert lines == run("export", "ftm").stdout.splitlines()
    before = target.read_bytes()
    assert "exists; add --force" in fails_cleanly("export", "ftm", "--out", str(target))
    assert target.read_bytes() == before
    run("export", "ftm", "--out", str(target), "--force", "--include-private")
    assert "is the database itself" in fails_cleanly(
        "export", "ftm", "--out", str(database), "--force"
    )
    assert "is a folder" in fails_cleanly("export", "ftm", "--out", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_bad_option_is_a_usage_error(run: Any, database: Path) -> None:
    run("init", "--sample")
    before = dump(database)
    result = run("export", "ftm", "--no-such-option", ok=False)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert dump(database) == before


@pytest.mark.sqlite_only("runs cases in a process of its own on the test's file")
def test_the_export_needs_no_followthemoney(run: Any, tmp_path: Path, database: Path) -> None:
    run("init", "--sample")
    target = tmp_path / "out.ftm.json"
    program = (
        "import sys; sys.modules['followthemoney'] = None; from cases.cli import main; "
        f"sys.argv = ['cases', '--db', {str(database)!r}, 'export', 'ftm', '--out', "
        f"{str(target)!r}]; main()"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) > sample_rows("people")


def test_country_and_language_codes_are_ftm_s_own() -> None:
    from rigour.langs import iso_639_alpha3
    from rigour.territories import get_ftm_countries

    from cases.codes import languages
    from cases.service.ftm import country_code, language_code

    country = model.get("Person").get("citizenship").type
    for territory in get_ftm_countries():
        for name in (territory.code, territory.name, territory.full_name, territory.alpha3):
            if name:
                assert country_code(name) == territory.code, name
                assert country.validate(country_code(name.upper()) or "")
    for typed in (
        "Kazakhstan",
        "CHINA",
        "United States",
        "USA",
        "Türkiye",
        "People’s Republic of China",
    ):
        assert country.validate(country_code(typed) or ""), typed
    assert country_code("Xinjiang") is None and country_code("Atlantis") is None
    language = model.get("Article").get("language").type
    for code in languages():
        ftm = language_code(code)
        assert ftm is None or (language.validate(ftm) and ftm == iso_639_alpha3(code)), code
    assert language_code("kk-Cyrl") == "kaz" and language_code("ug") is None
