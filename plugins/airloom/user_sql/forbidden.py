"""Functions a tenant's query must not call: each one reaches outside the query it is part of.

A query only reads the rows it names. These functions read or write files on the database
server, run Java, open connections, wait, lock, change settings or sequences, or run SQL held in
a string, so the parser cannot tell what they do. Names are lower case; a name ending in ``*``
is a prefix. The engines' own guards (a read-only transaction, Spark settings) stay in place
behind this list: it turns a surprise at run time into a clear refusal in the builder.
"""

from __future__ import annotations

from collections.abc import Mapping

FILES = "reads or writes files on the server"
JAVA = "runs Java code"
NETWORK = "connects to other servers"
WAITS = "waits or takes locks instead of reading rows"
SETTINGS = "changes the database's settings or state"
SEQUENCES = "advances a sequence, which is a write"
SQL_IN_STRING = "runs SQL held in a string, which cannot be checked"
DYNAMIC_TABLE = "names a table at run time, which cannot be checked"
EXTENSION = "loads native code into the database"

# PostgreSQL, MySQL/MariaDB and SQLite: sql_ingest checks against the union, since a statement
# is checked in the builder before anyone knows which database its connection points at.
DATABASE_FUNCTIONS: Mapping[str, str] = {
    # PostgreSQL
    "pg_read_*": FILES,
    "pg_ls_*": FILES,
    "pg_stat_file": FILES,
    "pg_file_*": FILES,
    "lo_*": FILES,
    "dblink*": NETWORK,
    "pg_sleep*": WAITS,
    "pg_advisory_*": WAITS,
    "pg_try_advisory_*": WAITS,
    "set_config": SETTINGS,
    "pg_reload_conf": SETTINGS,
    "pg_rotate_logfile": SETTINGS,
    "pg_terminate_backend": SETTINGS,
    "pg_cancel_backend": SETTINGS,
    "pg_notify": SETTINGS,
    "pg_logical_*": SETTINGS,
    "pg_replication_*": SETTINGS,
    "pg_create_*": SETTINGS,
    "pg_drop_*": SETTINGS,
    "pg_switch_wal": SETTINGS,
    "pg_backup_*": SETTINGS,
    "pg_promote": SETTINGS,
    "pg_import_system_collations": SETTINGS,
    "nextval": SEQUENCES,
    "setval": SEQUENCES,
    "query_to_xml*": SQL_IN_STRING,
    "cursor_to_xml*": SQL_IN_STRING,
    # MySQL / MariaDB
    "load_file": FILES,
    "sleep": WAITS,
    "benchmark": WAITS,
    "get_lock": WAITS,
    "release_lock": WAITS,
    "release_all_locks": WAITS,
    "master_pos_wait": WAITS,
    "source_pos_wait": WAITS,
    "wait_for_executed_gtid_set": WAITS,
    "sys_exec": FILES,
    "sys_eval": FILES,
    # SQLite (the CLI's and fileio's helpers; loadable extensions)
    "load_extension": EXTENSION,
    "readfile": FILES,
    "writefile": FILES,
    "edit": FILES,
    "fsdir": FILES,
    "zipfile": FILES,
    "fts3_tokenizer": EXTENSION,
}

# Spark 4 built-ins that reach outside the query (checked against `SHOW FUNCTIONS`).
SPARK_FUNCTIONS: Mapping[str, str] = {
    "reflect": JAVA,
    "java_method": JAVA,
    "try_reflect": JAVA,
    # Their options name schema or descriptor files to read (avroSchemaUrl, descFilePath).
    "from_avro": FILES,
    "to_avro": FILES,
    "schema_of_avro": FILES,
    "from_protobuf": FILES,
    "to_protobuf": FILES,
    "identifier": DYNAMIC_TABLE,
}

# Table-valued functions a Spark query may read from: they make rows from their arguments.
SPARK_TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "explode",
        "explode_outer",
        "inline",
        "inline_outer",
        "posexplode",
        "posexplode_outer",
        "stack",
        "json_tuple",
        "variant_explode",
        "variant_explode_outer",
    }
)


def forbidden_reason(name: str, functions: Mapping[str, str]) -> str | None:
    """Why a call to ``name`` is refused by ``functions`` (exact names and ``*`` prefixes)."""
    name = name.lower()
    for pattern, reason in functions.items():
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return reason
        elif name == pattern:
            return reason
    return None
