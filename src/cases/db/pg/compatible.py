"""The SQLite functions the reading queries use, as functions of a team's
PostgreSQL database (``group_concat``, ``printf('%0Nd')``, ``julianday``, and a
two-argument ``max`` and ``min`` that give NULL for NULL, as SQLite's do), in a
schema of their own that every member may use."""

from __future__ import annotations

# The schema of the SQLite functions the reading queries use, granted to every
# member (readers too), and what it holds.
COMPATIBLE_SCHEMA = "cases_sql"


def _arguments(count: int, kind: str) -> str:
    return ", ".join(f"a{n} {kind}" for n in range(count))


COMPATIBLE = (
    f"CREATE SCHEMA IF NOT EXISTS {COMPATIBLE_SCHEMA}",
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}._joined(acc text, v anyelement, sep text)
        RETURNS text LANGUAGE sql IMMUTABLE AS
        $$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v::text
                       ELSE acc || sep || v::text END $$""",
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}._joined(acc text, v anyelement)
        RETURNS text LANGUAGE sql IMMUTABLE AS
        $$ SELECT {COMPATIBLE_SCHEMA}._joined(acc, v, ',') $$""",
    f"""CREATE OR REPLACE AGGREGATE {COMPATIBLE_SCHEMA}.group_concat(anyelement)
        (SFUNC = {COMPATIBLE_SCHEMA}._joined, STYPE = text)""",
    f"""CREATE OR REPLACE AGGREGATE {COMPATIBLE_SCHEMA}.group_concat(anyelement, text)
        (SFUNC = {COMPATIBLE_SCHEMA}._joined, STYPE = text)""",
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.printf(fmt text, v bigint)
        RETURNS text LANGUAGE sql IMMUTABLE AS
        $$ SELECT CASE WHEN fmt ~ '^%0[0-9]+d$'
                       THEN lpad(v::text, substring(fmt from 3 for length(fmt) - 3)::int, '0')
                  END $$""",
    # the stored days are ISO days the date parser wrote: a plain SQL function
    # as volatile as its cast, which PostgreSQL inlines into the query (one with
    # an exception handler opened a subtransaction per call: seconds over the
    # detentions of 100,000 people)
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.julianday(day text)
        RETURNS double precision LANGUAGE sql STABLE AS
        $$ SELECT (day::date - date '2000-01-01') + 2451544.5 $$""",
    # datetime('now'), as SQLite writes it (the change log's times)
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.datetime(moment text)
        RETURNS text LANGUAGE sql STABLE AS
        $$ SELECT CASE WHEN moment = 'now'
                       THEN to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') END $$""",
    # SQLite's JSON lists of values, and of rows (what a change touched)
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.json_array(VARIADIC items anyarray)
        RETURNS json LANGUAGE sql IMMUTABLE AS $$ SELECT array_to_json(items) $$""",
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}._json_list(items json[])
        RETURNS json LANGUAGE sql IMMUTABLE AS $$ SELECT array_to_json(items) $$""",
    f"""CREATE OR REPLACE AGGREGATE {COMPATIBLE_SCHEMA}.json_group_array(json)
        (SFUNC = array_append, STYPE = json[], INITCOND = '{{}}',
         FINALFUNC = {COMPATIBLE_SCHEMA}._json_list)""",
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.json_each(items text)
        RETURNS TABLE (value text) LANGUAGE sql IMMUTABLE AS
        $$ SELECT json_array_elements_text(items::json) $$""",
    # the change log's row images (JSON texts) as a purge reads and blanks
    # them: a member's value as text (compared with texts: ids too), and the
    # image with members set to the texts given (NULL for null)
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.json_extract(doc text, path text)
        RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT doc::json ->> substr(path, 3) $$""",
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.json_set(doc text, VARIADIC pairs text[])
        RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
        DECLARE
            image jsonb := doc::jsonb;
        BEGIN
            FOR n IN 1 .. coalesce(array_length(pairs, 1), 0) / 2 LOOP
                image := jsonb_set(image, ARRAY[substr(pairs[2 * n - 1], 3)],
                                   coalesce(to_jsonb(pairs[2 * n]), 'null'::jsonb));
            END LOOP;
            RETURN image::text;
        END $$""",
    # SQLite's kind of a value (as its typeof() names them)
    f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.typeof(v anyelement)
        RETURNS text LANGUAGE sql IMMUTABLE AS
        $$ SELECT CASE WHEN v IS NULL THEN 'null'
                       WHEN pg_typeof(v) IN ('text'::regtype, 'character varying'::regtype)
                       THEN 'text'
                       WHEN pg_typeof(v) IN ('bigint'::regtype, 'integer'::regtype,
                                             'smallint'::regtype) THEN 'integer'
                       ELSE 'real' END $$""",
    # SQLite's max() and min() of two or more values: NULL when one is NULL
    # (STRICT says so without a call), the greatest or least of them otherwise
    *(
        f"""CREATE OR REPLACE FUNCTION {COMPATIBLE_SCHEMA}.{name}({_arguments(count, kind)})
            RETURNS {kind} LANGUAGE plpgsql IMMUTABLE STRICT AS
            $$ BEGIN RETURN {pick}({", ".join(f"a{n}" for n in range(count))}); END $$"""
        for name, pick in (("max", "greatest"), ("min", "least"))
        for kind in ("bigint", "text", "double precision")
        for count in range(2, 9)
    ),
)
