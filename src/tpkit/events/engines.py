"""The engines the analytics run on: embedded DuckDB by default, Apache Spark on request.

Both read the store's Parquet folders directly (:mod:`tpkit.events.store`) and give
back the same Ibis table, so :mod:`tpkit.events.analytics` never knows which one it
runs on. DuckDB needs nothing beyond the package. Spark needs ``pyspark`` (the
``tpkit[spark]`` extra) and a Java runtime; ``TPKIT_SPARK_MASTER`` chooses the
cluster (default ``local[2]``, this machine), and a session already running, as in
``spark-submit`` or a Databricks notebook, is used as it is.
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpkit.errors import TpkitError

if TYPE_CHECKING:  # Ibis loads when a command reads events, not with the parser
    import ibis.expr.types as ir

ENGINES = ("duckdb", "spark")
DUCKDB_MEMORY = "1GB"


def open_events(workbook_path: Path, engine: str = "duckdb") -> ir.Table:
    """The stored events of a workbook as an Ibis table on ``engine``."""
    import ibis

    from tpkit.events.store import events_folder, month_files

    folder = events_folder(workbook_path)
    if not month_files(folder):
        raise TpkitError("events.store.empty", file=str(workbook_path), folder=str(folder))
    if engine == "spark":
        return _spark_events(folder)
    if engine != "duckdb":
        raise TpkitError("events.engine.unknown", value=engine, allowed=", ".join(ENGINES))
    con = ibis.duckdb.connect(threads=min(2, os.cpu_count() or 1), memory_limit=DUCKDB_MEMORY)
    con.raw_sql("SET TimeZone = 'UTC'")
    return con.read_parquet(str(folder / "month=*" / "*.parquet"))


def _spark_events(folder: Path) -> ir.Table:
    import ibis

    from tpkit.events.store import month_files

    con = ibis.pyspark.connect(spark_session())
    frame = con._session.read.parquet(*[str(p) for p in month_files(folder)])
    name = f"tpkit_events_{abs(hash(str(folder)))}"
    frame.createOrReplaceTempView(name)
    return con.table(name)


@cache
def spark_session() -> Any:
    """A Spark session: the running one, else a small local one (few cores, few shuffle
    partitions, no web UI, UTC), or a clear message when Spark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise TpkitError("events.engine.no_pyspark") from None
    running = SparkSession.getActiveSession()
    if running is not None:
        return running
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise TpkitError("events.engine.no_java")
    master = os.environ.get("TPKIT_SPARK_MASTER", "local[2]")
    session = (
        SparkSession.builder.master(master)
        .appName("tpkit")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def keep(table: ir.Table) -> ir.Table:
    """``table`` computed once and kept for the queries that follow (the steps every
    figure starts from): a temporary table on DuckDB, a cached DataFrame on Spark."""
    import uuid

    backend = table._find_backend()
    if backend.name == "duckdb":  # Ibis's own cache cannot drop its table on DuckDB 2
        return backend.create_table(f"tpkit_kept_{uuid.uuid4().hex}", table, temp=True)
    return table.cache()
