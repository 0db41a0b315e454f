"""Tenants' SQL: attacks are refused with a reason a designer can act on; real queries pass."""

from __future__ import annotations

import pytest

from airloom.user_sql import connection_dialect, query_problem, spark_query_problem

LEGITIMATE_QUERIES = [
    "SELECT * FROM orders",
    "-- recent orders\nSELECT id, amount FROM orders WHERE created_at > '2026-01-01';",
    "SELECT c.name, COUNT(o.id) AS orders FROM customers c LEFT JOIN orders o "
    "ON o.customer_id = c.id GROUP BY c.name HAVING COUNT(o.id) > 1 ORDER BY orders DESC",
    "SELECT id, SUM(amount) OVER (PARTITION BY customer_id ORDER BY created_at "
    "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS rolling FROM orders",
    "SELECT id, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rank_in "
    "FROM orders",
    "WITH paid AS (SELECT * FROM orders WHERE status = 'paid'), big AS (SELECT * FROM paid "
    "WHERE amount > 100) SELECT customer_id, COUNT(*) FROM big GROUP BY customer_id",
    "WITH RECURSIVE days(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM days WHERE n < 7) "
    "SELECT n FROM days",
    "SELECT id FROM orders UNION SELECT id FROM refunds EXCEPT SELECT id FROM disputes",
    "SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE vip)",
    "SELECT o.id, (SELECT MAX(amount) FROM orders i WHERE i.customer_id = o.customer_id) AS top "
    "FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)",
    "SELECT CASE WHEN amount > 100 THEN 'big' ELSE 'small' END AS size, "
    "COALESCE(note, '') AS note FROM orders LIMIT 10 OFFSET 5",
    "SELECT 'a;b' AS text, 'it''s' AS quoted /* a ; in a comment */",
    "VALUES (1, 'one'), (2, 'two')",
]


@pytest.mark.parametrize("sql", LEGITIMATE_QUERIES)
def test_real_queries_pass_whatever_the_database(sql: str) -> None:
    assert query_problem(sql) is None


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT id::text, now() - interval '1 day' FROM orders", "postgres"),
        ("SELECT $$a;b$$ AS dollar_quoted", "postgres"),
        ("SELECT * FROM generate_series(1, 3) AS g(n)", "postgres"),
        ('SELECT `id` FROM `orders` WHERE note = "x"', "mysql"),
        ("SELECT id FROM orders WHERE note GLOB 'a*'", "sqlite"),
    ],
)
def test_each_database_s_own_syntax_passes_in_its_dialect(sql: str, dialect: str) -> None:
    assert query_problem(sql, dialect) is None


REFUSED = [
    # (sql, what the designer is told)
    ("DELETE FROM orders", "must be a SELECT, not DELETE"),
    ("UPDATE orders SET amount = 0", "must be a SELECT, not UPDATE"),
    ("DROP TABLE orders", "must be a SELECT, not DROP TABLE"),
    ("CREATE TABLE copy AS SELECT * FROM orders", "must be a SELECT, not CREATE TABLE"),
    ("TRUNCATE orders", "must be a SELECT, not TRUNCATE"),
    ("COPY orders TO '/tmp/orders.csv'", "must be a SELECT, not COPY"),
    ("EXPLAIN ANALYZE DELETE FROM orders", "must be a SELECT, not EXPLAIN"),
    ("CALL refresh_everything()", "must be a SELECT, not CALL"),
    ("SET statement_timeout = 0", "must be a SELECT, not SET"),
    ("GRANT ALL ON orders TO public", "must be a SELECT, not GRANT"),
    ("", "must be exactly one statement, found 0"),
    ("-- only a comment", "must be exactly one statement, found 0"),
    ("SELECT 1; DROP TABLE orders", "must be exactly one statement, found 2"),
    ("SELECT 1;\nDELETE FROM orders;", "must be exactly one statement, found 2"),
    # PostgreSQL and SQLite disagree on nested comments: to one this is one statement.
    ("SELECT 1 /* /* */ ; DELETE FROM orders; -- */", "must be exactly one statement, found 2"),
    # A backslash ends a string in PostgreSQL and SQLite, escapes the quote in MySQL.
    ("SELECT '\\'; DELETE FROM orders; --'", "must be exactly one statement, found 2"),
    (
        "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone",
        "must only read data, but it contains DELETE inside a WITH clause",
    ),
    (
        "WITH up AS (UPDATE orders SET amount = 0 RETURNING id) SELECT id FROM up",
        "must only read data, but it contains UPDATE inside a WITH clause",
    ),
    ("SELECT * INTO orders_copy FROM orders", "must not use SELECT … INTO"),
    ("SELECT * FROM orders FOR UPDATE", "must not lock rows"),
    ("SELECT * FROM orders FOR SHARE", "must not lock rows"),
    ("SELECT * FROM orders LOCK IN SHARE MODE", "must not lock rows"),
    ("SELECT pg_sleep(3600)", "must not call pg_sleep(): it waits or takes locks"),
    ("SELECT pg_read_file('/etc/passwd')", "must not call pg_read_file(): it reads or writes"),
    ("SELECT pg_catalog.pg_read_file('/etc/passwd')", "must not call pg_read_file()"),
    ("SELECT * FROM pg_ls_dir('/')", "must not call pg_ls_dir()"),
    ("SELECT lo_import('/etc/passwd')", "must not call lo_import()"),
    ("SELECT lo_export(16400, '/tmp/x')", "must not call lo_export()"),
    ("SELECT dblink_exec('host=x', 'DROP TABLE t')", "must not call dblink_exec(): it connects"),
    ("SELECT set_config('default_transaction_read_only', 'off', false)", "set_config()"),
    ("SELECT nextval('orders_id_seq')", "must not call nextval(): it advances a sequence"),
    ("SELECT query_to_xml('DELETE FROM orders', true, true, '')", "query_to_xml()"),
    ("SELECT pg_terminate_backend(42)", "must not call pg_terminate_backend()"),
    ("SELECT pg_advisory_lock(1)", "must not call pg_advisory_lock()"),
    ("SELECT id FROM orders WHERE SLEEP(10) = 0", "must not call sleep()"),
    ("SELECT BENCHMARK(100000000, MD5('x'))", "must not call benchmark()"),
    ("SELECT LOAD_FILE('/etc/passwd')", "must not call load_file()"),
    ("SELECT load_extension('/tmp/evil.so')", "must not call load_extension(): it loads native"),
    ("SELECT writefile('/tmp/x', 'y')", "must not call writefile()"),
    ("SELECT * FROM orders INTO OUTFILE '/tmp/x'", "could not be parsed"),
    ("SELECT * FROM (INSERT INTO orders VALUES (1) RETURNING *) AS x", "could not be parsed"),
    ("SELEC id FROM orders", "could not be parsed"),
    # sqlglot reads this as an expression (SELEC * FORM AS orders); a database as no statement.
    (
        "SELEC * FORM orders",
        "could not be parsed as SQL: syntax error at or near 'SELEC' at line 1",
    ),
    ("SELECT 'unclosed FROM orders", "could not be parsed"),
]


@pytest.mark.parametrize(("sql", "reason"), REFUSED)
def test_attacks_are_refused_saying_why(sql: str, reason: str) -> None:
    problem = query_problem(sql)
    assert problem is not None and reason in problem, problem


def test_a_parse_error_says_where() -> None:
    assert query_problem("SELECT id FROM") == (
        "could not be parsed as SQL: Expected table name but got the end of the statement "
        "at line 1, column 14 (near 'FROM')"
    )
    assert query_problem("SELECT id\nFROM orders o JOIN ON x", "postgres") == (
        "could not be parsed as postgres SQL: Expected table name but got 'ON' at line 2, "
        "column 21 (near 'ON')"
    )


def test_a_text_that_is_no_statement_says_where_it_goes_wrong() -> None:
    assert spark_query_problem("-- daily\n  SELEC * FORM sales") == (
        "could not be parsed as Spark SQL: syntax error at or near 'SELEC' at line 2, column 3; "
        "a query starts with SELECT, WITH, VALUES or FROM (did you mean SELECT?)"
    )


def test_in_its_own_dialect_a_database_reads_the_text_as_it_will_run() -> None:
    # PostgreSQL nests comments, so this is one harmless SELECT there...
    assert query_problem("SELECT 1 /* /* */ ; DELETE FROM t; -- */", "postgres") is None
    # ...and two statements in MySQL, which does not.
    assert query_problem("SELECT 1 /* /* */ ; DELETE FROM t; -- */", "mysql") == (
        "must be exactly one statement, found 2"
    )
    # Dollar quotes are strings in PostgreSQL only.
    assert query_problem("SELECT $q$; DELETE FROM t; $q$", "postgres") is None
    assert "exactly one statement" in (query_problem("SELECT $q$; DELETE FROM t; $q$") or "")


def test_connection_types_map_to_dialects() -> None:
    assert connection_dialect("postgres") == "postgres"
    assert connection_dialect("mssql") == "tsql"
    assert connection_dialect("sqlite") == "sqlite"
    assert connection_dialect("something_else") is None
    assert connection_dialect(None) is None


VIEWS = {"sales", "stores"}

SPARK_LEGITIMATE = [
    "SELECT city, SUM(units) AS units FROM sales JOIN stores USING (store) GROUP BY city",
    "SELECT store, units, RANK() OVER (PARTITION BY store ORDER BY units DESC) AS r FROM sales",
    "WITH totals AS (SELECT store, SUM(units) AS units FROM sales GROUP BY store) "
    "SELECT s.city, t.units FROM totals t JOIN stores s ON s.store = t.store",
    "SELECT * FROM sales WHERE store IN (SELECT store FROM stores WHERE city = 'Bonn')",
    "SELECT store FROM sales UNION ALL SELECT store FROM stores",
    "SELECT store, explode(array(1, 2)) AS n FROM sales",
    "SELECT s.store, n FROM sales s LATERAL VIEW explode(array(1, 2)) t AS n",
    "SELECT transform(array(units), x -> x + 1) AS plus_one FROM sales",
    "SELECT * FROM sales PIVOT (SUM(units) FOR store IN ('s1', 's2'))",
    "SELECT /*+ BROADCAST(stores) */ * FROM sales JOIN stores USING (store)",
    "SELECT * FROM SALES TABLESAMPLE (50 PERCENT)",
    "SELECT id FROM range(10) CROSS JOIN stores",
    "SELECT pmod(hash(store), 4) AS bucket, regexp_extract(store, 's(\\\\d)', 1) AS n FROM sales",
    "SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(id, name)",
    "SELECT * FROM sales QUALIFY ROW_NUMBER() OVER (PARTITION BY store ORDER BY units) = 1",
]


@pytest.mark.parametrize("sql", SPARK_LEGITIMATE)
def test_spark_queries_over_the_inputs_pass(sql: str) -> None:
    assert spark_query_problem(sql) is None
    assert spark_query_problem(sql, VIEWS) is None


SPARK_REFUSED = [
    ("SELECT * FROM parquet.`/etc/passwd`", "must not read files directly (parquet.`/etc/"),
    ("SELECT * FROM text.`file:///etc/passwd`", "must not read files directly"),
    ("SELECT * FROM csv.`s3://other-tenant/secrets.csv`", "must not read files directly"),
    ("SELECT * FROM `json`.`/data/x.json`", "must not read files directly"),
    ("SELECT * FROM other_db.customers", "other_db.customers names a table in another"),
    ("SELECT * FROM spark_catalog.default.customers", "names a table in another"),
    ("SELECT * FROM global_temp.shared", "names a table in another"),
    ("SELECT reflect('java.lang.Runtime', 'getRuntime')", "must not call reflect(): it runs Java"),
    ("SELECT java_method('java.lang.System', 'exit', 0)", "must not call java_method()"),
    ("SELECT try_reflect('java.lang.System', 'getenv')", "must not call try_reflect()"),
    ("SELECT `reflect`('java.lang.System', 'getenv')", "must not call reflect()"),
    ("SELECT REFLECT('java.lang.System', 'getenv')", "must not call reflect()"),
    ("SELECT from_protobuf(value, 'M', '/etc/x.desc') FROM sales", "must not call from_protobuf"),
    ("SELECT from_avro(value, '{}', map('avroSchemaUrl', '/x')) FROM sales", "from_avro()"),
    ("SELECT * FROM IDENTIFIER('other_db.customers')", "must not call identifier()"),
    ("SELECT my_db.my_udf(units) FROM sales", "must not call my_db.my_udf(): only Spark's"),
    ("SELECT TRANSFORM(store) USING 'sh -c id' FROM sales", "must not run a script"),
    ("SELECT TRANSFORM(store) USING 'cat' AS (s) FROM sales", "must not run a script"),
    ("MAP store USING 'cat' FROM sales", "could not be parsed as Spark SQL"),
    ("SELEC * FORM sales", "could not be parsed as Spark SQL: syntax error at or near 'SELEC'"),
    ("SELECT '${env:AWS_SECRET_ACCESS_KEY}' AS key FROM sales", "must not contain ${…}"),
    ("SET spark.sql.runSQLOnFiles = true", "must be a SELECT, not SET"),
    ("ADD JAR /tmp/evil.jar", "must be a SELECT, not ADD JAR"),
    ("CACHE TABLE hot AS SELECT * FROM sales", "must be a SELECT, not CACHE"),
    ("CREATE TABLE copy AS SELECT * FROM sales", "must be a SELECT, not CREATE TABLE"),
    ("CREATE TEMPORARY VIEW v AS SELECT 1", "must be a SELECT, not CREATE VIEW"),
    ("INSERT OVERWRITE DIRECTORY '/tmp/out' SELECT * FROM sales", "must be a SELECT, not INSERT"),
    ("INSERT INTO sales SELECT * FROM sales", "must be a SELECT, not INSERT"),
    ("DROP TABLE sales", "must be a SELECT, not DROP TABLE"),
    ("DESCRIBE sales", "must be a SELECT, not DESCRIBE"),
    ("SHOW TABLES", "must be a SELECT, not SHOW"),
    ("SELECT * FROM sales; SELECT * FROM stores", "must be exactly one statement, found 2"),
    ("SELECT * FROM read_files('/data')", "must not read from READ_FILES('/data')"),
]


@pytest.mark.parametrize(("sql", "reason"), SPARK_REFUSED)
def test_spark_escapes_are_refused_saying_why(sql: str, reason: str) -> None:
    for views in (None, VIEWS):
        problem = spark_query_problem(sql, views)
        assert problem is not None and reason in problem, problem


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM customers",
        "SELECT * FROM sales JOIN customers USING (store)",
        "SELECT * FROM sales WHERE store IN (SELECT store FROM customers)",
        # A CTE named `customers` inside a subquery is not visible outside it.
        "SELECT * FROM (WITH customers AS (SELECT 1 AS a) SELECT * FROM customers) x, customers",
        # CTEs are defined in order: the first cannot read the second.
        "WITH b AS (SELECT * FROM customers), customers AS (SELECT 1) SELECT * FROM b",
    ],
)
def test_spark_reads_only_the_input_views_and_its_own_ctes(sql: str) -> None:
    assert spark_query_problem(sql) is None  # views unknown while the design is validated
    assert spark_query_problem(sql, VIEWS) == (
        "must read only the node's inputs (sales, stores), not 'customers'; each input is a "
        "view named after its dataset's last path segment"
    )


def test_a_spark_cte_may_reuse_any_name_and_views_match_case_insensitively() -> None:
    sql = "WITH customers AS (SELECT * FROM Sales) SELECT * FROM customers JOIN STORES USING (id)"
    assert spark_query_problem(sql, VIEWS) is None
    assert spark_query_problem("SELECT * FROM sales", set()) == (
        "must read only the node's inputs (none), not 'sales'; each input is a view named after "
        "its dataset's last path segment"
    )
