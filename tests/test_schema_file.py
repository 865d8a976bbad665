"""graphql/ holds the printed schema and the operations a phone sends; both stay true."""

from __future__ import annotations

from pathlib import Path

from graphql import OperationDefinitionNode, parse, validate

from api.schema import build_schema
from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
GRAPHQL = ROOT / "graphql"


def test_printed_schema_matches_the_code(settings: Settings) -> None:
    printed = build_schema(settings).as_str() + "\n"
    on_disk = (GRAPHQL / "schema.graphql").read_text()
    assert printed == on_disk, (
        "graphql/schema.graphql is out of date: regenerate it with `make schema`"
    )


def test_every_operation_is_valid_and_named_after_its_file(settings: Settings) -> None:
    schema = build_schema(settings)._schema
    files = sorted((GRAPHQL / "operations").glob("*.graphql"))
    assert files
    for path in files:
        document = parse(path.read_text())
        assert validate(schema, document) == [], path.name
        [op] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        assert op.name and op.name.value == path.stem, path.name


def test_every_operation_is_run_by_a_test() -> None:
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    for path in (GRAPHQL / "operations").glob("*.graphql"):
        assert f'operation("{path.stem}")' in tests, f"no test runs {path.name}"


def test_graphql_directory_holds_no_python() -> None:
    assert not list(GRAPHQL.rglob("*.py")), "graphql/ would shadow graphql-core"
