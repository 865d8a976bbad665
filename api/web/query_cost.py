"""Query cost: an estimate of how much work a document asks for, refused before it runs
when over the limit (on top of the depth, token and alias limits, which a short document
of nested lists passes).

Each field costs 1. A list multiplies what is selected under it by the number of items it
may return: its `first`/`limit` argument (a literal, the variable's value, or the
variable's default), else the page size cap; a list that takes neither counts a few items.
On a connection the argument sits on the
field and the list is its `edges`, so the page size passes down to the list below.

This is an extension at execution, after validation, rather than a validation rule: it
reads the variables' values, which validation never sees, and the validation cache (keyed
on the document alone) would otherwise answer for one request's variables with another's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from api.errors import DomainError

PAGE_ARGUMENTS = ("first", "limit")


class QueryTooCostly(DomainError):
    code = "QUERY_TOO_COSTLY"


@dataclass(frozen=True)
class CostLimits:
    max_cost: int
    # Items a paginated field returns when not told (the page size cap).
    page_size: int
    # Items counted for a list that takes no `first`/`limit`: a record's own short lists
    # (a question's choices, an asset's photos), or small fixed sets (the counties).
    list_items: int


@dataclass(frozen=True)
class _Estimate:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    limits: CostLimits

    def selections(self, selection_set: SelectionSetNode, parent: Any, page: int | None) -> int:
        """`page`: how many items a list directly below takes (set by a connection)."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
                continue
            if isinstance(selection, InlineFragmentNode):
                fragment: InlineFragmentNode | FragmentDefinitionNode = selection
            else:
                fragment = self.fragments[selection.name.value]
            condition = fragment.type_condition
            on = self.schema.get_type(condition.name.value) if condition else parent
            total += self.selections(fragment.selection_set, on, page)
        return total

    def field(self, node: FieldNode, parent: Any, page: int | None) -> int:
        # Leaves, and __typename/__schema (introspection is bounded by the depth limit).
        if node.selection_set is None or node.name.value.startswith("__"):
            return 1
        definition: GraphQLField = parent.fields[node.name.value]
        requested = self.page_argument(node, definition)
        of_type = get_nullable_type(definition.type)
        if is_list_type(of_type):
            items = next(n for n in (requested, page, self.limits.list_items) if n is not None)
            return 1 + items * self.selections(node.selection_set, get_named_type(of_type), None)
        return 1 + self.selections(node.selection_set, get_named_type(of_type), requested)

    def page_argument(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """Items the field was asked for; the page size cap if it pages but was not told."""
        name = next((a for a in PAGE_ARGUMENTS if a in definition.args), None)
        if name is None:
            return None
        given = next((a.value for a in node.arguments or () if a.name.value == name), None)
        value: Any = None
        if isinstance(given, IntValueNode):
            value = int(given.value)
        elif isinstance(given, VariableNode):
            value = self.variables.get(given.name.value)
        if isinstance(value, int) and not isinstance(value, bool):
            # Past the cap the field itself refuses, naming `first`: a clearer answer.
            return min(max(value, 0), self.limits.page_size)
        return self.limits.page_size


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    limits: CostLimits,
) -> int:
    """The cost of the operation `operation_name` in a validated document."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    estimate = _Estimate(schema, fragments, {**defaults, **(variables or {})}, limits)
    return estimate.selections(operation.selection_set, root, None)


class QueryCostLimiter(SchemaExtension):
    """Refuses an operation whose estimated cost is over the limit, before it runs."""

    def __init__(self, limits: CostLimits) -> None:
        self.limits = limits

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None  # parsed and validated by now
        cost = estimate_cost(
            context.schema._schema,
            context.graphql_document,
            context.operation_name,
            context.variables,
            self.limits,
        )
        if cost > self.limits.max_cost:
            limit = self.limits.max_cost
            message = (
                f"This query could return about {cost:,} values; at most {limit:,} are "
                "allowed. Ask for fewer items with `first`, or nest fewer lists."
            )
            cy = (
                f"Gallai'r ymholiad hwn ddychwelyd tua {cost:,} o werthoedd; caniateir "
                f"{limit:,} ar y mwyaf. Gofynnwch am lai o eitemau gyda `first`, neu nythwch "
                "lai o restrau."
            )
            error = GraphQLError(message, original_error=QueryTooCostly(message, cy=cy))
            # A result set here stands in for execution: nothing is resolved.
            context.result = ExecutionResult(data=None, errors=[error])
        yield
