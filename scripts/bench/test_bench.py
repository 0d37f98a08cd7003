#!/usr/bin/env python3
"""Tests of the benchmark runner and chart (standard library only).

    python3 -B -m unittest discover -s scripts/bench -p 'test_*.py'
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart  # noqa: E402
import run  # noqa: E402
from benchlib import core, objects, report, signing  # noqa: E402


def ctx(**kw) -> core.Context:
    defaults = dict(pin=False, cpu="0", reps=5, seconds=1, clock="cpu", openssl_ia32cap="", build_reps=1)
    defaults.update(kw)
    return core.Context(argparse.Namespace(**defaults))


def counter_side(name: str, log: Path, values: list[float]) -> core.Side:
    """A side that appends its name to `log` and prints the next of `values`."""
    prog = (
        "import sys, pathlib\n"
        f"p = pathlib.Path({str(log)!r}); lines = p.read_text().split() if p.exists() else []\n"
        f"n = sum(1 for l in lines if l == {name!r}); vals = {values!r}\n"
        f"p.write_text(' '.join(lines + [{name!r}])); print(vals[n])\n"
    )
    return core.Side(name, [sys.executable, "-B", "-c", prog], "u", lambda out, err: (float(out), out.strip()))


class SideBySide(unittest.TestCase):
    def test_alternates_and_takes_per_pair_ratios(self):
        with tempfile.TemporaryDirectory() as d:
            log = Path(d) / "order"
            a = counter_side("A", log, [10, 20, 30, 40, 50])
            b = counter_side("B", log, [5, 5, 10, 40, 100])
            res = core.side_by_side(ctx(), a, b, 5)
            self.assertEqual(log.read_text().split(), ["A", "B"] * 5)
        self.assertEqual(res["value"]["samples"], [2.0, 4.0, 3.0, 1.0, 0.5])
        self.assertEqual(res["value"]["median"], 2.0)
        self.assertEqual((res["value"]["min"], res["value"]["max"]), (0.5, 4.0))
        self.assertEqual(res["a"]["median"], 30)
        self.assertEqual(res["b"]["median"], 10)
        self.assertEqual(len(res["raw"]), 5)

    def test_refuses_fewer_than_five_repetitions(self):
        with tempfile.TemporaryDirectory() as d:
            a = counter_side("A", Path(d) / "o", [1] * 4)
            with self.assertRaises(ValueError):
                core.side_by_side(ctx(), a, a, 4)

    def test_failing_command_raises_with_its_stderr(self):
        bad = core.Side("bad", [sys.executable, "-c", "import sys; sys.exit('boom')"], "u", lambda o, e: (1.0, o))
        with self.assertRaisesRegex(RuntimeError, "boom"):
            core.sample(bad)


class Parsers(unittest.TestCase):
    def test_openssl_machine_readable_sign_line(self):
        err = "+DTP:2048:private:rsa:3\n+R1:12000:2048:2.95\n+DTP:2048:public:rsa:3\n+R2:1:2048:3.00\n"
        value, raw = signing.parse_openssl_speed("+F2:2:2048:4067.8:1\n", err)
        self.assertAlmostEqual(value, 12000 / 2.95)
        self.assertEqual(raw["signs"], 12000)
        with self.assertRaises(RuntimeError):
            signing.parse_openssl_speed("", "no such line")

    def test_sign_speed_mismatch_is_refused(self):
        parse = signing.parse_sign_speed_with("signs_per_cpu_sec")
        good = {"signs": 10, "requests": 10, "users": 1000, "last_signature_verified": True,
                "signs_per_sec": 5.0, "signs_per_cpu_sec": 8.0}
        self.assertEqual(parse(json.dumps(good), "")[0], 8.0)
        for bad in ({**good, "requests": 9}, {**good, "users": 10}, {**good, "signs_per_cpu_sec": None}):
            with self.assertRaises(RuntimeError, msg=bad):
                parse(json.dumps(bad), "")


    def test_load_parser_refuses_signature_and_call_mismatch(self):
        parse = core.parse_load()
        good = {"requests": 30, "seconds": 3.0, "req_per_sec": 10.0, "signs": 40, "calls": 40, "users": 1000}
        self.assertEqual(parse(json.dumps(good), "")[0], 10.0)
        for bad in ({**good, "signs": 39}, {**good, "users": 999}, {k: v for k, v in good.items() if k != "req_per_sec"}):
            with self.assertRaises(RuntimeError, msg=bad):
                parse(json.dumps(bad), "")

    def test_object_load_reads_peak_rss_from_time_v(self):
        out = json.dumps({"mib_per_sec": 400.0, "bytes": 1})
        value, raw = objects.parse_object_load(out, "\tMaximum resident set size (kbytes): 7100\n")
        self.assertEqual((value, raw["max_rss_kib"]), (400.0, 7100))
        with self.assertRaises(RuntimeError):
            objects.parse_object_load(out, "no time -v output")

    def test_probe_is_read_around_the_command_and_passed_to_parse(self):
        reads = iter([10.0, 12.5])
        side = core.Side("p", [sys.executable, "-c", "print(1)"], "u",
                         lambda out, err, delta: (delta, out.strip()), probe=lambda: next(reads))
        value, raw, _ = core.sample(side)
        self.assertEqual((value, raw), (2.5, "1"))

    def test_cpu_ratio_uses_each_side_own_cpu_time(self):
        res = {"raw": [{"a": {"requests": 100, "cpu_seconds": 1.0}, "b": {"requests": 100, "cpu_seconds": 2.0}}] * 5}
        core.add_cpu_ratio(res)
        self.assertEqual(res["per_cpu"]["ratio"]["median"], 2.0)
        self.assertEqual(res["per_cpu"]["b_req_per_cpu_sec"]["median"], 50.0)


class Transfer(unittest.TestCase):
    TIME_V = "\tMaximum resident set size (kbytes): 20480\n"

    def test_transfer_parser_needs_a_verified_download_and_peak_rss(self):
        good = {"mib_per_sec": 300.0, "bytes": 1 << 20, "verified": True}
        value, raw = objects.parse_transfer(json.dumps(good), self.TIME_V)
        self.assertEqual((value, raw["max_rss_kib"]), (300.0, 20480))
        for out, err in ((json.dumps({**good, "verified": False}), self.TIME_V),
                         (json.dumps({k: v for k, v in good.items() if k != "verified"}), self.TIME_V),
                         (json.dumps(good), "no time -v output")):
            with self.assertRaises(RuntimeError, msg=out):
                objects.parse_transfer(out, err)

    def test_rss_ratio_is_taken_per_pair_from_the_throughput_runs(self):
        pairs = [(10240, 102400), (20480, 102400), (10240, 51200), (10240, 204800), (10240, 102400)]
        c = ctx()
        c.built["t10"] = {"note": "n", "raw": [{"pair": i, "a": {"max_rss_kib": a}, "b": {"max_rss_kib": b}}
                                               for i, (a, b) in enumerate(pairs)]}
        res = objects.measure_t10b(c)
        self.assertEqual(res["value"]["samples"], [0.1, 0.2, 0.2, 0.05, 0.1])
        self.assertEqual(res["value"]["median"], 0.1)
        self.assertEqual((res["a"]["median"], res["b"]["median"]), (10.0, 100.0))
        self.assertTrue(core.Goal("<=", 0.25, "×").met(res["value"]["median"]))

    def test_upload_dir_rate_is_over_wall_time_and_needs_every_file(self):
        parse = objects.parse_upload_dir(300)
        value, raw = parse(json.dumps({"uploaded": 300, "seconds": 0.5}), "", 1.5)
        self.assertEqual((value, raw["wall_seconds"]), (200.0, 1.5))
        with self.assertRaises(RuntimeError):
            parse(json.dumps({"uploaded": 299}), "", 1.0)

    def test_bulk_upload_summary_must_list_every_file_and_no_failure(self):
        parse = objects.parse_bulk_upload(2)
        ok = {"skipped-objects": [], "upload-failures": {}, "uploaded-objects": {"a": {}, "b": {}}}
        self.assertEqual(parse("Uploaded a\n" + json.dumps(ok, indent=2), "", 0.5)[0], 4.0)
        for bad in ({**ok, "uploaded-objects": {"a": {}}}, {**ok, "upload-failures": {"b": "500"}},
                    {**ok, "skipped-objects": ["a"]}):
            with self.assertRaises(RuntimeError, msg=bad):
                parse(json.dumps(bad), "", 1.0)
        with self.assertRaises(RuntimeError):
            parse("no summary", "", 1.0)

    def test_write_random_file_has_the_size_asked_for(self):
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "x"
            objects.write_random_file(f, (1 << 20) + 5)
            self.assertEqual(f.stat().st_size, (1 << 20) + 5)


class Ids(unittest.TestCase):
    def test_a_measure_family_expands_to_its_lettered_parts(self):
        ids = [m.id for m in run.MEASURES]
        self.assertEqual(run.expand_id("T10", ids), ["T10a", "T10b"])
        self.assertEqual(run.expand_id("T8", ids), ["T8a", "T8b"])
        self.assertEqual(run.expand_id("T11", ids), ["T11"])
        self.assertEqual(run.expand_id("T3", ids), ["T3"])  # not T3ba
        self.assertEqual(run.expand_id("T99", ids), ["T99"])

    def test_transfer_measures_are_registered_with_their_size_options(self):
        by_id = {m.id: m for m in run.MEASURES}
        for mid in ("T10a", "T10b", "T11"):
            self.assertIsNotNone(by_id[mid].run, mid)
        self.assertIn("part_mib", by_id["T10a"].options)
        self.assertIn("objects", by_id["T11"].options)
        ap = argparse.ArgumentParser()
        ap.add_argument("--reps", type=int, default=5)
        ap.add_argument("--objects", type=int, default=10_000)
        ap.add_argument("--no-pin", dest="pin", action="store_false")
        args = ap.parse_args(["--objects", "300"])
        args.features = ""
        self.assertEqual(report.reproduce_command(by_id["T11"], args, ap),
                         "python3 scripts/bench/run.py T11 --reps 5 --objects 300")

class Table(unittest.TestCase):
    def test_pending_measures_have_reasons_and_ids_are_unique(self):
        ids = [m.id for m in run.MEASURES]
        self.assertEqual(len(ids), len(set(ids)))
        for m in run.MEASURES:
            if m.run is None:
                self.assertTrue(m.pending, m.id)
        self.assertIn("T1", [m.id for m in run.MEASURES if m.run])

    def test_goal_direction(self):
        self.assertTrue(core.Goal(">=", 0.9, "×").met(0.9))
        self.assertFalse(core.Goal(">=", 0.9, "×").met(0.89))
        self.assertTrue(core.Goal("<=", 90, "s").met(61))
        self.assertFalse(core.Goal("<=", 90, "s").met(91))

    def test_server_waits_for_the_port_and_stops_it(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        argv = [sys.executable, "-B", "-m", "http.server", str(port), "--bind", "127.0.0.1"]
        with ctx().server(argv, port) as proc:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                pass
        self.assertIsNotNone(proc.poll())

    def test_server_that_dies_is_reported(self):
        with self.assertRaisesRegex(RuntimeError, "exited"):
            with ctx().server([sys.executable, "-c", "raise SystemExit(3)"], 1, timeout=5):
                pass


class Chart(unittest.TestCase):
    def results(self, d: Path, name: str, measures: dict) -> Path:
        p = d / name
        p.write_text(json.dumps({"machine": {"nproc": 2, "cpu": "X"}, "measures": measures}))
        return p

    def entry(self, status: str, median: float = 0.0) -> dict:
        e = {"title": "t", "status": status, "goal": {"op": ">=", "value": 0.9, "unit": "×", "text": "≥ 0.9×"}}
        if status == "measured":
            e.update(value={"median": median, "min": median - 0.1, "max": median + 0.1}, unit="×",
                     met=median >= 0.9)
        else:
            e["reason"] = "r"
        return e

    def test_newest_measured_result_wins_and_later_non_runs_do_not_hide_it(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            files = [
                self.results(d, "20260101T000000Z-T1.json", {"T1": self.entry("measured", 0.5)}),
                self.results(d, "20260102T000000Z-T1.json", {"T1": self.entry("measured", 1.2),
                                                             "T3": self.entry("pending")}),
                self.results(d, "20260103T000000Z-T9.json", {"T1": self.entry("not run"),
                                                             "T3": self.entry("pending")}),
            ]
            merged, order = chart.load(files)
            self.assertEqual(order, ["T1", "T3"])
            self.assertEqual(merged["T1"][0]["value"]["median"], 1.2)
            self.assertEqual(merged["T1"][1], "20260102T000000Z-T1.json")
            svg = chart.render(merged, order)
        root = ET.fromstring(svg)
        texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
        self.assertIn("1.20×", texts)
        self.assertIn("pending", texts)
        self.assertIn("meets", texts)


if __name__ == "__main__":
    unittest.main()
