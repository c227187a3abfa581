"""The check benchmark runs and exercises the engine (its timing is `./rxp bench`'s business,
not the tests')."""

from __future__ import annotations

from server.checks.bench import bench_check, synthetic_snapshot


class TestBench:
    def test_the_synthetic_set_has_the_pairs_asked_for(self):
        snapshot, pool = synthetic_snapshot(pairs=500, drugs=200)
        assert snapshot.counts["interaction_pair"] == 500 and len(pool) == 200

    def test_a_short_run_reports_a_line_and_finds_issues(self):
        result = bench_check(iterations=50, pairs=2_000)
        assert result.iterations == 50 and result.issues_per_check > 0
        assert result.line().startswith("BENCH check ")
        assert result.line().endswith(("PASS", "FAIL"))
