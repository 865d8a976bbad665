"""Every expected error written in the covered packages also has its Welsh message.

Walks the source: a domain error built from a written message (a string, an f-string, or a
module constant holding one) must say `cy=` too, else Welsh speakers get English."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COVERED = [
    "api/assets",
    "api/auth",
    "api/conversations",
    "api/grants",
    "api/people",
    "api/places",
    "api/rest",
    "api/selection",
    "api/shared",
]

# InvalidInput only gathers other errors; RuleBroken takes its Welsh as a required argument.
ERRORS = {
    "BadInput",
    "Conflict",
    "DomainError",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
}
# NotAllowedHere(code, en, cy): the message comes second, the Welsh after it.
MESSAGE_POSITION = {name: 0 for name in ERRORS} | {"NotAllowedHere": 1}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_written(node: ast.expr, constants: set[str]) -> bool:
    """A message spelled out in the source rather than passed through from elsewhere."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_written(node.left, constants) or _is_written(node.right, constants)
    return isinstance(node, ast.Name) and node.id in constants


def _string_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to a written string."""
    return {
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
        if isinstance(target, ast.Name) and _is_written(statement.value, set())
    }


def _english_only(source: str) -> list[int]:
    """The lines where an error is built from a written message with no `cy=` beside it."""
    tree = ast.parse(source)
    constants = _string_constants(tree)
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) not in MESSAGE_POSITION:
            continue
        position = MESSAGE_POSITION[_name(node.func)]
        keywords = {k.arg: k.value for k in node.keywords}
        message = node.args[position] if len(node.args) > position else keywords.get("message")
        welsh = len(node.args) > position + 1 or not (
            "cy" not in keywords
            or (isinstance(keywords["cy"], ast.Constant) and keywords["cy"].value is None)
        )
        if message is not None and _is_written(message, constants) and not welsh:
            lines.append(node.lineno)
    return sorted(lines)


def test_every_written_error_in_the_covered_packages_has_a_welsh_message() -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in COVERED
        for path in sorted((ROOT / package).rglob("*.py"))
        for line in _english_only(path.read_text())
    ]
    assert not missing, "errors with no cy= message:\n" + "\n".join(missing)


def test_the_walk_finds_an_english_only_error() -> None:
    source = (
        'GONE = "It has gone."\n'
        'raise NotFound("No such thing.", field="id")\n'
        'raise errors.Forbidden(f"Not {x}.")\n'
        "raise Conflict(GONE)\n"
        'raise NotAllowedHere("CODE", "Not here.")\n'
        'raise BadInput("Fine.", cy="Iawn.")\n'
        'raise Forbidden("No Welsh.", cy=None)\n'
        'raise NotAllowedHere("CODE", "Fine.", "Iawn.")\n'
        'raise NotAllowedHere("CODE", *BOTH)\n'
        "raise BadInput(message_from_elsewhere)\n"
    )
    assert _english_only(source) == [2, 3, 4, 5, 7]
