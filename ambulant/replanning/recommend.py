"""Who could take a visit now: the best few options, without changing anything.

What a coordinator looks at while the caller is still on the phone. The visit is built in memory
(never stored), the rest of the day is set up as for a replan, and the solver prices inserting
the visit into each staff member's remaining route (or a pair's, for a joint visit). Nothing is
re-optimised, so it answers in well under a second; a replan then does the real work.
"""

from __future__ import annotations

import time

from sqlmodel import Session, select

import solver
from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.models import Patient, Staff, VisitRequest
from ambulant.planning.plans import get_plan
from ambulant.replanning.solve import disruption_weights, prepare_replan, warm_start
from ambulant.replanning.views import Option, RecommendationRequest, Recommendations
from ambulant.timeutil import from_day_seconds
from ambulant.timeutil import now as clock_now
from ambulant.travel import TravelTimes

# The visit asked about has no id yet; stored ids start at 1.
ASKED = 0


def recommend(
    session: Session,
    *,
    plan_id: int,
    request: RecommendationRequest,
    settings: Settings,
    travel: TravelTimes,
) -> Recommendations:
    started = time.perf_counter()
    base = get_plan(session, plan_id=plan_id)
    at = request.at or clock_now()
    if request.local_date != base.date:
        raise InvalidInput(
            f"the visit is on {request.local_date}, the plan on {base.date}", field="window_start"
        )
    patient = session.get(Patient, request.patient_id)
    if patient is None:
        raise InvalidInput(f"patient {request.patient_id} does not exist", field="patient_id")
    visit = VisitRequest.model_validate(
        request.model_dump(exclude={"k", "at"}), update={"id": ASKED, "date": base.date}
    )
    _, _, rp, base_stops = prepare_replan(
        session,
        base=base,
        at=at,
        settings=settings,
        travel=travel,
        extra_visits=[(visit, patient)],
    )
    asked = rp.problem.visit(str(ASKED))
    others = tuple(v for v in rp.problem.visits if v.id != asked.id)
    problem = solver.Problem(
        staff=rp.problem.staff,
        visits=others,
        travel_s=rp.problem.travel_s,
        dependencies=rp.problem.dependencies,
    )
    reason = None
    if not problem.staff:
        options: list[solver.Option] = []
        reason = "nobody has working time left today"
    else:
        params = solver.Parameters(weights=disruption_weights(settings, base.parameters))
        options = solver.recommend(
            problem, warm_start(rp, base_stops, base.date), asked, request.k, params
        )
        if not any(o.feasible for o in options):
            impossible = solver.unplannable(rp.problem, asked.id, params.weights)
            reason = (
                impossible.detail
                if impossible is not None
                else "nobody qualified can fit it in without dropping more than one visit"
            )
    names = {s.id: s.name for s in session.exec(select(Staff))}
    return Recommendations(
        plan_id=plan_id,
        version=base.version,
        at=at,
        options=[
            Option(
                rank=rank,
                staff_ids=[int(s) for s in o.staff_ids],
                staff_names=[names.get(int(s), "") for s in o.staff_ids],
                start_at=from_day_seconds(base.date, o.start_s),
                added_travel_s=o.added_travel_s,
                shifted_visit_ids=[int(v) for v in o.shifted_visits],
                dropped_visit_ids=[int(v) for v in o.dropped_visits],
                cost_delta=o.cost_delta,
                feasible=o.feasible,
            )
            for rank, o in enumerate(options, start=1)
        ],
        reason=reason,
        elapsed_s=round(time.perf_counter() - started, 3),
    )
