"""Whether a tenant's SQL is one read-only query, and if not, exactly why.

Each check returns a sentence that completes "the statement …" (e.g. "must be exactly one
statement, found 2"), or None when the SQL is acceptable. They parse with sqlglot in the
dialect the SQL will run in, and refuse what sqlglot cannot parse: a statement this module does
not understand is not one it can vouch for.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.optimizer.scope import traverse_scope

from airloom.user_sql.forbidden import (
    DATABASE_FUNCTIONS,
    SPARK_FUNCTIONS,
    SPARK_TABLE_FUNCTIONS,
    forbidden_reason,
)

# When the database is not known yet (the builder validates before any connection is looked
# up), the statement must parse in one of these and pass in every one that parses it: a text
# one dialect reads as one harmless query may be two statements to another.
ANY_DATABASE: tuple[str | None, ...] = (None, "postgres", "mysql", "sqlite")

# Airflow connection type -> sqlglot dialect, for the check right before a statement runs.
CONNECTION_DIALECTS: Mapping[str, str] = {
    "postgres": "postgres",
    "mysql": "mysql",
    "sqlite": "sqlite",
    "redshift": "redshift",
    "athena": "athena",
    "mssql": "tsql",
    "oracle": "oracle",
    "snowflake": "snowflake",
    "trino": "trino",
    "presto": "presto",
    "databricks": "databricks",
    "duckdb": "duckdb",
    "teradata": "teradata",
    "clickhouse": "clickhouse",
}

FILE_FORMATS = frozenset(
    {"parquet", "csv", "json", "orc", "text", "avro", "binaryfile", "xml", "delta", "jdbc"}
)

# The words a read-only query may start with, for a hint when a statement starts otherwise.
QUERY_STARTS = ("SELECT", "WITH", "VALUES", "FROM")

_TOKEN = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: .*?>")


class _Refused(Exception):
    """The statement is not acceptable; the message completes "the statement …"."""


class _Unparsable(_Refused):
    """sqlglot could not parse the statement."""


def connection_dialect(conn_type: str | None) -> str | None:
    """The sqlglot dialect of an Airflow connection type, or None when it is not known."""
    return CONNECTION_DIALECTS.get((conn_type or "").lower())


def query_problem(sql: str, dialect: str | None = None) -> str | None:
    """Why ``sql`` is not one read-only query a database may run for ``sql_ingest``, or None.

    :param dialect: sqlglot dialect of the database (``postgres``, ``mysql``, ``sqlite`` …);
        None when not known yet: then the statement must parse in a common dialect and pass in
        every one of :data:`ANY_DATABASE` that parses it.
    """
    candidates = (dialect,) if dialect else ANY_DATABASE
    parse_problem: str | None = None
    parsed = False
    for candidate in candidates:
        try:
            root = _one_query(sql, candidate)
        except _Unparsable as error:
            parse_problem = parse_problem or str(error)
            continue
        except _Refused as error:
            return str(error)
        parsed = True
        problem = _read_only_problem(root, DATABASE_FUNCTIONS, builtins_only=False)
        if problem:
            return problem
    return None if parsed else parse_problem


def spark_query_problem(sql: str, views: Collection[str] | None = None) -> str | None:
    """Why ``sql`` is not one Spark SQL query over ``views`` alone, or None.

    Beyond :func:`query_problem`'s rules: every table it reads is one of ``views`` or a CTE
    of the same query, named alone (no ``db.table``, no ``parquet.`/path```); only Spark's
    built-in functions, none that reach outside the query; no script transforms; no ``${…}``.

    :param views: the view names the query may read (its inputs); None when not known yet
        (at validation time), which skips only that one check.
    """
    if "${" in sql:
        # Spark substitutes ${…} in the text before parsing: settings, system properties and
        # environment variables (secrets included). Airloom's sessions turn that off too.
        return (
            "must not contain ${…}: Spark would replace it with a setting or an environment "
            "variable"
        )
    try:
        root = _one_query(sql, "spark")
    except (_Unparsable, _Refused) as error:
        return str(error)
    return _read_only_problem(root, SPARK_FUNCTIONS, builtins_only=True) or _tables_problem(
        root, views
    )


def _one_query(sql: str, dialect: str | None) -> exp.Expr:
    try:
        statements = sqlglot.parse(sql, read=dialect)
    except SqlglotError as error:
        raise _Unparsable(_parse_message(error, dialect)) from None
    # Empty statements (";;" or a trailing comment) are nothing, not a second statement.
    statements = [s for s in statements if s is not None and not isinstance(s, exp.Semicolon)]
    if len(statements) != 1:
        raise _Refused(f"must be exactly one statement, found {len(statements)}")
    root = statements[0]
    if not isinstance(root, exp.Query | exp.Values):
        if _is_statement(root):
            raise _Refused(f"must be a SELECT, not {_kind(root)}")
        # sqlglot reads a lone expression (`SELEC * FORM raw` is `SELEC * FORM AS raw`) where
        # a database reads a statement, and finds none: a syntax error to the database.
        raise _Unparsable(_not_a_statement(sql, dialect))
    return root


def _language(dialect: str | None) -> str:
    return {None: "SQL", "spark": "Spark SQL"}.get(dialect, f"{dialect} SQL")


def _not_a_statement(sql: str, dialect: str | None) -> str:
    tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    first = tokens[0].text if tokens else sql.strip()[:20]
    # A token's col is where it ends; the designer looks for where it starts.
    where = (
        f" at line {tokens[0].line}, column {max(1, tokens[0].col - len(first) + 1)}"
        if tokens
        else ""
    )
    guess = difflib.get_close_matches(first.upper(), QUERY_STARTS, n=1)
    return (
        f"could not be parsed as {_language(dialect)}: syntax error at or near {first!r}{where};"
        f" a query starts with {', '.join(QUERY_STARTS[:-1])} or {QUERY_STARTS[-1]}"
        + (f" (did you mean {guess[0]}?)" if guess else "")
    )


def _parse_message(error: Exception, dialect: str | None) -> str:
    language = _language(dialect)
    details = getattr(error, "errors", None) if isinstance(error, ParseError) else None
    if not details:
        return f"could not be parsed as {language}: {str(error).splitlines()[0]}"
    first = details[0]
    description = _TOKEN.sub(_token_text, str(first.get("description") or "syntax error"))
    near = first.get("highlight")
    where = f" at line {first.get('line')}, column {first.get('col')}"
    return f"could not be parsed as {language}: {description}{where}" + (
        f" (near {near!r})" if near else ""
    )


def _token_text(match: re.Match[str]) -> str:
    kind, text = match.groups()
    return "the end of the statement" if kind == "SENTINEL" else repr(text)


def _read_only_problem(
    root: exp.Expr, functions: Mapping[str, str], *, builtins_only: bool
) -> str | None:
    for node in root.walk():
        problem = _node_problem(node)
        if problem:
            return problem
        if isinstance(node, exp.Func):
            problem = _function_problem(node, functions, builtins_only=builtins_only)
            if problem:
                return problem
    return None


def _node_problem(node: exp.Expr) -> str | None:
    if isinstance(node, exp.Into):
        return (
            "must not use SELECT … INTO, which writes a table or a file; select the rows and "
            "the node stores them"
        )
    if isinstance(node, exp.Lock):
        return "must not lock rows (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE): it only reads"
    if isinstance(node, exp.QueryTransform):
        return "must not run a script (SELECT TRANSFORM … USING): only SQL may run"
    if _is_statement(node):
        where = " inside a WITH clause" if node.find_ancestor(exp.CTE) else " inside the query"
        return f"must only read data, but it contains {_kind(node)}{where}"
    return None


def _is_statement(node: exp.Expr) -> bool:
    """A command, or a statement that writes or changes something, wherever it is nested."""

    harmless = (exp.Comprehension, exp.CharacterSet, exp.Heredoc)
    module = type(node).__module__.rsplit(".", 1)[-1]
    if module in ("ddl", "dml", "properties"):
        return not isinstance(node, harmless)
    other_statements = (
        exp.Command,
        exp.Cache,
        exp.Uncache,
        exp.Refresh,
        exp.Grant,
        exp.Revoke,
        exp.Analyze,
        exp.Put,
        exp.Get,
        exp.ListStage,
        exp.MultitableInserts,
    )
    return isinstance(node, other_statements)


def _kind(node: exp.Expr) -> str:
    """What a statement is, as a designer wrote it: DROP TABLE, INSERT, ADD JAR …"""

    if isinstance(node, exp.Command):
        return str(node.name).upper()
    word = {"truncatetable": "TRUNCATE", "altersession": "ALTER SESSION"}.get(
        node.key, node.key.upper()
    )
    kind = node.args.get("kind")
    return f"{word} {kind.upper()}" if isinstance(kind, str) and kind else word


def _function_names(func: exp.Func) -> set[str]:
    """Every name a call may go by: its own for unknown functions, else sqlglot's names."""

    names = {name.lower() for name in type(func).sql_names()}
    if isinstance(func, exp.Anonymous | exp.AnonymousAggFunc):
        names.add(str(func.name).lower())
    return names


def _function_problem(
    func: exp.Func, functions: Mapping[str, str], *, builtins_only: bool
) -> str | None:
    for name in sorted(_function_names(func)):
        reason = forbidden_reason(name, functions)
        if reason:
            return f"must not call {name}(): it {reason}"
    parent = func.parent
    if builtins_only and isinstance(parent, exp.Dot) and parent.expression is func:
        qualified = f"{parent.this.sql(dialect='spark')}.{func.name}"
        return f"must not call {qualified}(): only Spark's built-in functions may be called"
    return None


def _tables_problem(root: exp.Expr, views: Collection[str] | None) -> str | None:
    try:
        cte_references = _cte_references(root)
    except SqlglotError as error:
        return f"must name its tables plainly: cannot tell which tables it reads ({error})"
    allowed = None if views is None else {view.lower() for view in views}
    for table in root.find_all(exp.Table):
        if id(table) not in cte_references:
            problem = _table_problem(table, allowed)
            if problem:
                return problem
    return None


def _cte_references(root: exp.Expr) -> set[int]:
    """The ids of the Table nodes that name a CTE visible where they stand."""

    references: set[int] = set()
    for scope in traverse_scope(root):
        ctes = {name.lower() for name in scope.cte_sources}
        for table in scope.tables:
            qualified = table.args.get("db") or table.args.get("catalog")
            if not qualified and table.name.lower() in ctes:
                references.add(id(table))
    return references


def _table_problem(table: exp.Table, allowed: set[str] | None) -> str | None:
    target = table.this
    if isinstance(target, exp.Func):
        names = _function_names(target)
        if names & SPARK_TABLE_FUNCTIONS:
            return None
        shown = target.sql(dialect="spark")
        return (
            f"must not read from {shown}: only the node's inputs and row generators such as "
            "range() and explode() may be read"
        )
    shown = ".".join(part.sql(dialect="spark") for part in table.parts)
    if table.args.get("db") or table.args.get("catalog"):
        if table.text("db").lower() in FILE_FORMATS or "/" in table.name or ":" in table.name:
            return f"must not read files directly ({shown}): read the node's inputs by their names"
        return (
            f"must read only the node's inputs, named alone: {shown} names a table in another "
            "database or catalog"
        )
    if not isinstance(target, exp.Identifier):
        return f"must read only the node's inputs, by name: {shown} is not a table name"
    if allowed is not None and table.name.lower() not in allowed:
        inputs = ", ".join(sorted(allowed)) or "none"
        return (
            f"must read only the node's inputs ({inputs}), not {table.name!r}; each input is a "
            "view named after its dataset's last path segment"
        )
    return None
