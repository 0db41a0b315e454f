"""Query → one DuckDB SQL statement over the read model, with bound parameters.

Every identifier in the statement comes from the semantic layer's allow-lists (the Query was
validated against them); every value — the tenant, the time range's ends, filter values, the
limit — is a bound parameter. The statement always keeps only the caller's tenant's rows, and
the tenant comes from the caller, never from a Query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from insights.questions.periods import previous_period
from insights.questions.query import OtherTenantError, Query, QueryError
from insights.questions.semantic import METRICS, Source, source_for


@dataclass(frozen=True)
class CompiledQuery:
    """A statement ready for ``connection.execute(sql, parameters)``.

    :param columns: the result's columns: group-by keys first, then each metric (and, for a
        comparison, ``<metric>_previous`` and ``<metric>_change`` after it).
    """

    sql: str
    parameters: dict[str, Any]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A query's answer: named columns and their rows."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _quote(identifier: str) -> str:
    # Identifiers come from the layer's allow-lists; quoting keeps words like "day" plain names.
    return '"' + identifier.replace('"', '""') + '"'


def compile_query(query: Query, tenant: str) -> CompiledQuery:
    """The SQL answering ``query`` for ``tenant`` alone."""
    if not isinstance(tenant, str) or not tenant.strip():
        raise QueryError("tenant: the caller's tenant is required")
    for row_filter in query.filters:
        if row_filter.dimension == "tenant" and set(row_filter.values) != {tenant}:
            raise OtherTenantError(
                "filters: tenant can only be your own; other tenants are never shown"
            )
    columns = set(query.group_by) | {f.dimension for f in query.filters}
    source = source_for(list(query.metrics), columns)
    if source is None:  # Query validation already refuses this; kept for direct callers.
        raise QueryError(f"metrics {', '.join(query.metrics)}: no source has {sorted(columns)}")

    parameters: dict[str, Any] = {"tenant": tenant}
    time_column = _quote(source.time_column)
    where = ["tenant = $tenant"]
    for index, row_filter in enumerate(query.filters):
        names = []
        for position, value in enumerate(row_filter.values):
            parameters[f"filter_{index}_{position}"] = value
            names.append(f"$filter_{index}_{position}")
        # Cast: HTTP statuses and versions may be numbers; a question's values are text.
        where.append(f"CAST({_quote(row_filter.dimension)} AS VARCHAR) IN ({', '.join(names)})")
    where += [f"{_quote(d)} IS NOT NULL" for d in query.group_by]

    keys = [_quote(d) for d in query.group_by]
    key_expressions = list(keys)
    if query.grain:
        keys.append(_quote(query.grain))
        key_expressions.append(
            f"date_trunc('{query.grain}', {time_column}) AS {_quote(query.grain)}"
        )
    aggregates = [f"{METRICS[m].expressions[source.name]} AS {_quote(m)}" for m in query.metrics]
    result_columns = [*query.group_by, *([query.grain] if query.grain else []), *query.metrics]

    if query.compare_previous:
        sql, extra = _comparison(query, source, where, keys, key_expressions, aggregates)
        parameters.update(extra)
        result_columns = [*query.group_by]
        for metric in query.metrics:
            result_columns += [metric, f"{metric}_previous", f"{metric}_change"]
    else:
        if query.time_range:
            parameters["start"] = query.time_range.start
            parameters["end"] = query.time_range.end
            where += [f"{time_column} >= $start", f"{time_column} < $end"]
        select = ", ".join([*key_expressions, *aggregates])
        sql = f"SELECT {select} FROM {source.relation} AS activity WHERE {' AND '.join(where)}"
        if keys:
            sql += f" GROUP BY {', '.join(keys)}"
        sql += _order(query, keys, sort_column=query.metrics[0])

    if query.limit is not None:
        parameters["limit"] = query.limit
        sql += " LIMIT $limit"
    return CompiledQuery(sql=sql, parameters=parameters, columns=tuple(result_columns))


def _comparison(
    query: Query,
    source: Source,
    where: list[str],
    keys: list[str],
    key_expressions: list[str],
    aggregates: list[str],
) -> tuple[str, dict[str, Any]]:
    """Each metric in the range, in the previous period and the change, in one statement."""
    if query.time_range is None:
        raise QueryError("compare_previous: a comparison needs a time range")
    previous = previous_period(query.time_range)
    parameters = {
        "start": query.time_range.start,
        "end": query.time_range.end,
        "previous_start": previous.start,
        "previous_end": previous.end,
    }
    time_column = _quote(source.time_column)
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    select = ", ".join([*key_expressions, *aggregates])

    def period(lower: str, upper: str) -> str:
        return (
            f"SELECT {select} FROM {source.relation} AS activity WHERE "
            f"{' AND '.join(where)} AND {time_column} >= {lower} AND {time_column} < {upper}"
            f"{group}"
        )

    outputs = [f"current_period.{k}" for k in keys]
    for metric in query.metrics:
        name = _quote(metric)
        outputs += [
            f"current_period.{name}",
            f"previous_period.{name} AS {_quote(metric + '_previous')}",
            f"current_period.{name} - previous_period.{name} AS {_quote(metric + '_change')}",
        ]
    join = (
        f"LEFT JOIN previous_period USING ({', '.join(keys)})"
        if keys
        else ("CROSS JOIN previous_period")
    )
    sql = (
        f"WITH current_period AS ({period('$start', '$end')}), "
        f"previous_period AS ({period('$previous_start', '$previous_end')}) "
        f"SELECT {', '.join(outputs)} FROM current_period {join}"
    )
    sort = query.metrics[0] + ("_change" if query.rank_by == "change" else "")
    return sql + _order(query, [f"current_period.{k}" for k in keys], sort_column=sort), parameters


def _order(query: Query, keys: list[str], sort_column: str) -> str:
    """Time in order for a grain; otherwise the biggest first, ties broken by the keys."""
    if query.grain:
        return f" ORDER BY {', '.join(keys)}"
    if not keys and query.order is None:
        return ""
    direction = "ASC" if query.order == "asc" else "DESC"
    return f" ORDER BY {', '.join([f'{_quote(sort_column)} {direction} NULLS LAST', *keys])}"


def run_query(connection: Any, query: Query, tenant: str) -> Table:
    """Compile and run ``query`` for ``tenant`` on a DuckDB connection holding the read model."""
    compiled = compile_query(query, tenant)
    rows = connection.execute(compiled.sql, compiled.parameters).fetchall()
    return Table(columns=compiled.columns, rows=rows)
