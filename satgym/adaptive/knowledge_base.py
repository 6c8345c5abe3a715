"""Device knowledge base (Sec. VIII-B/C): operator-level processing delay in SQLite.

Schema (all unique keys use ``INSERT ... ON CONFLICT DO UPDATE``, i.e. insert-or-replace):

``engines``       id, name, version                              UNIQUE(name, version)
``devices``       id, name, unit (CPU|GPU|NPU), memory_gb, cpu_count, description, source,
                  dispatch_ms_per_op, transfer_ms_per_mb         UNIQUE(name)
``operators``     id, op_type, dtype, kernel_h, kernel_w, stride_h, stride_w, padding,
                  in_channels, out_channels, input_h, input_w, groups, activation
                                                                 UNIQUE(all attributes)
``measurements``  device_id, engine_id, operator_id, latency_ms, std_ms, n_runs, source, created_at
                                                                 PRIMARY KEY(device, engine, operator)

``dispatch_ms_per_op`` (CPU instruction in-queue time per operator) and ``transfer_ms_per_mb``
(CPU -> accelerator copy) are the GPU/NPU terms of Sec. VIII-C; they are 0 for CPU devices.

Example:
    >>> from satgym.adaptive.operators import OpSpec
    >>> kb = KnowledgeBase(":memory:")
    >>> dev = Device("toy", "CPU", memory_gb=1.0)
    >>> eng = Engine("pytorch", "2.x")
    >>> kb.add_measurement(dev, eng, OpSpec("add", in_channels=8, out_channels=8), 0.01)
    >>> kb.latency(dev.name, eng, OpSpec("add", in_channels=8, out_channels=8))
    0.01
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from satgym.adaptive.operators import OpSpec, attribute_names

UNITS = ("CPU", "GPU", "NPU")
SHIPPED_DB = Path(__file__).resolve().parent.parent / "data" / "adaptive" / "knowledge_base.sqlite"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS engines (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL, UNIQUE(name, version));
CREATE TABLE IF NOT EXISTS devices (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
    unit TEXT NOT NULL CHECK (unit IN ('CPU', 'GPU', 'NPU')),
    memory_gb REAL, cpu_count INTEGER, description TEXT, source TEXT,
    dispatch_ms_per_op REAL NOT NULL DEFAULT 0, transfer_ms_per_mb REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS operators (
    id INTEGER PRIMARY KEY, op_type TEXT NOT NULL, dtype TEXT NOT NULL,
    kernel_h INTEGER, kernel_w INTEGER, stride_h INTEGER, stride_w INTEGER, padding INTEGER,
    in_channels INTEGER, out_channels INTEGER, input_h INTEGER, input_w INTEGER, groups INTEGER,
    activation TEXT, UNIQUE({", ".join(attribute_names())}));
CREATE TABLE IF NOT EXISTS measurements (
    device_id INTEGER NOT NULL REFERENCES devices(id),
    engine_id INTEGER NOT NULL REFERENCES engines(id),
    operator_id INTEGER NOT NULL REFERENCES operators(id),
    latency_ms REAL NOT NULL CHECK (latency_ms >= 0), std_ms REAL, n_runs INTEGER,
    source TEXT, created_at TEXT, PRIMARY KEY (device_id, engine_id, operator_id));
"""


@dataclass(frozen=True)
class Engine:
    """Compute engine, e.g. ``Engine("pytorch", "2.13.0")`` or ``Engine("tflite", "2.14")``."""

    name: str
    version: str


@dataclass(frozen=True)
class Device:
    """Device spec: name, unit type, memory and the accelerator overhead terms."""

    name: str
    unit: str
    memory_gb: float | None = None
    cpu_count: int | None = None
    description: str = ""
    source: str = "measured"
    dispatch_ms_per_op: float = 0.0
    transfer_ms_per_mb: float = 0.0

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}; valid: {UNITS}")


class KnowledgeBase:
    """SQLite-backed operator latency store. ``path=":memory:"`` for a throw-away KB."""

    def __init__(self, path: str | Path = SHIPPED_DB) -> None:
        self.path = str(path)
        self.conn = sqlite3.connect(self.path)
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.commit()
        self.close()

    # -- writers -------------------------------------------------------------------------------
    def add_engine(self, engine: Engine) -> int:
        self.conn.execute("INSERT OR IGNORE INTO engines(name, version) VALUES (?, ?)",
                          (engine.name, engine.version))
        return self.conn.execute("SELECT id FROM engines WHERE name=? AND version=?",
                                 (engine.name, engine.version)).fetchone()[0]

    def add_device(self, device: Device) -> int:
        cols = ("name", "unit", "memory_gb", "cpu_count", "description", "source",
                "dispatch_ms_per_op", "transfer_ms_per_mb")
        vals = tuple(getattr(device, c) for c in cols)
        upd = ", ".join(f"{c}=excluded.{c}" for c in cols[1:])
        self.conn.execute(f"INSERT INTO devices({', '.join(cols)}) VALUES ({', '.join('?' * 8)}) "
                          f"ON CONFLICT(name) DO UPDATE SET {upd}", vals)
        return self.conn.execute("SELECT id FROM devices WHERE name=?", (device.name,)).fetchone()[0]

    def add_operator(self, op: OpSpec) -> int:
        names = attribute_names()
        self.conn.execute(f"INSERT OR IGNORE INTO operators({', '.join(names)}) "
                          f"VALUES ({', '.join('?' * len(names))})", op.key())
        where = " AND ".join(f"{n}=?" for n in names)
        return self.conn.execute(f"SELECT id FROM operators WHERE {where}", op.key()).fetchone()[0]

    def add_measurement(self, device: Device, engine: Engine, op: OpSpec, latency_ms: float,
                        std_ms: float | None = None, n_runs: int | None = None,
                        source: str | None = None) -> None:
        """Insert or replace the delay of ``op`` on (``device``, ``engine``)."""
        dev_id, eng_id, op_id = self.add_device(device), self.add_engine(engine), self.add_operator(op)
        self.conn.execute(
            "INSERT INTO measurements VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(device_id, engine_id, operator_id) DO UPDATE SET "
            "latency_ms=excluded.latency_ms, std_ms=excluded.std_ms, n_runs=excluded.n_runs, "
            "source=excluded.source, created_at=excluded.created_at",
            (dev_id, eng_id, op_id, float(latency_ms), std_ms, n_runs, source or device.source,
             datetime.now(timezone.utc).isoformat(timespec="seconds")))
        self.conn.commit()

    def add_measurements(self, device: Device, engine: Engine,
                         rows: list[tuple[OpSpec, float, float | None, int | None]],
                         source: str | None = None) -> None:
        """Bulk version of :meth:`add_measurement` (one transaction)."""
        dev_id, eng_id = self.add_device(device), self.add_engine(engine)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        data = [(dev_id, eng_id, self.add_operator(op), float(lat), std, n, source or device.source,
                 now) for op, lat, std, n in rows]
        self.conn.executemany(
            "INSERT OR REPLACE INTO measurements VALUES (?, ?, ?, ?, ?, ?, ?, ?)", data)
        self.conn.commit()

    # -- readers -------------------------------------------------------------------------------
    def device(self, name: str) -> Device:
        row = self.conn.execute(
            "SELECT name, unit, memory_gb, cpu_count, description, source, dispatch_ms_per_op, "
            "transfer_ms_per_mb FROM devices WHERE name=?", (name,)).fetchone()
        if row is None:
            raise KeyError(f"device {name!r} not in knowledge base; valid: {self.device_names()}")
        return Device(*row)

    def device_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM devices ORDER BY id")]

    def engines(self, device: str | None = None) -> list[Engine]:
        sql = "SELECT DISTINCT e.name, e.version FROM engines e"
        if device is None:
            return [Engine(*r) for r in self.conn.execute(sql)]
        sql += (" JOIN measurements m ON m.engine_id=e.id JOIN devices d ON m.device_id=d.id "
                "WHERE d.name=?")
        return [Engine(*r) for r in self.conn.execute(sql, (device,))]

    def latency(self, device: str, engine: Engine, op: OpSpec) -> float | None:
        """Stored delay (ms) of ``op``; ``None`` when missing."""
        where = " AND ".join(f"o.{n}=?" for n in attribute_names())
        row = self.conn.execute(
            "SELECT m.latency_ms FROM measurements m JOIN operators o ON m.operator_id=o.id "
            "JOIN devices d ON m.device_id=d.id JOIN engines e ON m.engine_id=e.id "
            f"WHERE d.name=? AND e.name=? AND e.version=? AND {where}",
            (device, engine.name, engine.version, *op.key())).fetchone()
        return None if row is None else row[0]

    def table(self, device: str, engine: Engine) -> dict[OpSpec, float]:
        """All (operator -> delay ms) entries of one device/engine (for fast prediction)."""
        names = attribute_names()
        rows = self.conn.execute(
            f"SELECT {', '.join('o.' + n for n in names)}, m.latency_ms FROM measurements m "
            "JOIN operators o ON m.operator_id=o.id JOIN devices d ON m.device_id=d.id "
            "JOIN engines e ON m.engine_id=e.id WHERE d.name=? AND e.name=? AND e.version=?",
            (device, engine.name, engine.version))
        return {OpSpec(*r[:-1]): r[-1] for r in rows}

    def count(self, table: str = "measurements") -> int:
        if table not in ("engines", "devices", "operators", "measurements"):
            raise ValueError(f"unknown table {table!r}")
        return self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
