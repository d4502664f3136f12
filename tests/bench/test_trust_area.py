"""The trust-area simulation's queue: first come, first served by the first worker free, and the
numbers derived from it."""

from __future__ import annotations

import itertools

import pytest

from ambulant.bench.trust_area import TrustArea, serve_fifo, simulate


def test_one_worker_serves_simultaneous_jobs_one_after_the_other() -> None:
    """Three 10 s jobs at once: the second waits 10 s, the third 20 s."""
    served = serve_fifo([0.0, 0.0, 0.0], [10.0, 10.0, 10.0], workers=1)
    assert [s.wait_s for s in served] == [0.0, 10.0, 20.0]
    assert [s.answer_s for s in served] == [10.0, 20.0, 30.0]


def test_two_workers_take_two_jobs_at_once_and_the_third_waits_for_the_first_free() -> None:
    """Jobs of 10 s and 30 s at 0, a third at 5 s: it waits for the 10 s job's worker (5 s)."""
    served = serve_fifo([0.0, 0.0, 5.0], [10.0, 30.0, 1.0], workers=2)
    assert [s.wait_s for s in served] == [0.0, 0.0, 5.0]
    assert served[2].start_s == 10.0


def test_a_job_arriving_at_an_idle_worker_does_not_wait() -> None:
    """The queue empties between far-apart jobs; arrival order, not list order, decides."""
    served = serve_fifo([100.0, 0.0], [10.0, 10.0], workers=1)
    assert [(s.arrival_s, s.wait_s) for s in served] == [(0.0, 0.0), (100.0, 0.0)]


def test_more_workers_never_make_a_job_wait_longer() -> None:
    """On the same simulated hours, each added worker leaves every job's wait as it was or
    shorter; with a worker per request nobody waits."""
    area = TrustArea(municipalities=40, second_share=0.25, hours=50, seed=3)
    jobs = [4.0, 6.0, 9.0, 15.0, 40.0, 90.0]
    outcomes = [simulate(area, jobs, m) for m in (1, 2, 3, 4, 6, 8, 80)]
    for fewer, more in itertools.pairwise(outcomes):
        assert len(fewer.waits_s) == len(more.waits_s)
        assert all(b <= a + 1e-9 for a, b in zip(fewer.waits_s, more.waits_s, strict=True))
    assert max(outcomes[-1].waits_s) == 0.0


def test_utilisation_is_the_work_over_the_workers_time() -> None:
    """40 jobs of 60 s in an hour on one worker: 40 busy minutes, and the worker never idles
    once the queue has formed, so the utilisation lies between 2/3 and 1."""
    area = TrustArea(municipalities=40, second_share=0.0, hours=20, seed=1)
    outcome = simulate(area, [60.0], workers=1)
    assert outcome.busy_s == pytest.approx(20 * 40 * 60.0)
    assert 40 * 60 / 3600 <= outcome.utilisation <= 1.0


def test_a_trust_area_is_checked_before_it_is_simulated() -> None:
    """Counts and shares out of range are refused with the field named."""
    with pytest.raises(ValueError, match="municipalities"):
        TrustArea(municipalities=0)
    with pytest.raises(ValueError, match="second_share"):
        TrustArea(second_share=1.5)
    with pytest.raises(ValueError, match="no measured job times"):
        simulate(TrustArea(), [], workers=1)
