"""Run the OpenFisca anchor rule (../shared/anchors/openfisca, model mini_dibao) on the very inputs that
`jiuzhu bench assess` wrote, and time it the way the anchor's own benchmark does.

usage: python openfisca_same_inputs.py ANCHOR_DIR INPUT_DIR   (prints one JSON line)
"""
import json
import os
import sys
import time

import numpy as np

anchor, inputs = sys.argv[1], sys.argv[2]
sys.path.insert(0, anchor)
from openfisca_core.simulation_builder import SimulationBuilder  # noqa: E402
from mini_dibao import Region, build_system  # noqa: E402

meta = json.load(open(os.path.join(inputs, "meta.json")))
n_hh, n_p = meta["households"], meta["persons"]
hh_of_person = np.fromfile(os.path.join(inputs, "person_household.i32"), dtype="<i4")
income = np.fromfile(os.path.join(inputs, "person_income_cents.i64"), dtype="<i8") / 100.0
grade = np.fromfile(os.path.join(inputs, "person_disability_grade.i8"), dtype="<i1").astype(np.int32)
dead = np.fromfile(os.path.join(inputs, "person_deceased.i8"), dtype="<i1").astype(bool)
region = np.fromfile(os.path.join(inputs, "household_region.i8"), dtype="<i1")
assets = np.fromfile(os.path.join(inputs, "household_assets_cents.i64"), dtype="<i8") / 100.0
names = np.array(["beijing", "shanghai", "rural_county"])

tbs = build_system()
t = time.perf_counter()
first = np.r_[True, hh_of_person[1:] != hh_of_person[:-1]]
sb = SimulationBuilder()
sb.create_entities(tbs)
sb.declare_person_entity("person", np.arange(n_p))
hh = sb.declare_entity("household", np.arange(n_hh))
sb.join_with_persons(hh, hh_of_person, np.where(first, "applicant", "member"))
sim = sb.build(tbs)
period = meta["period"]
sim.set_input("monthly_income", period, income)
sim.set_input("disability_grade", period, grade)
sim.set_input("is_deceased", period, dead)
sim.set_input("region", period, Region.encode(names[region]))
sim.set_input("financial_assets", period, assets)
t_build = time.perf_counter() - t
t = time.perf_counter()
benefit = sim.calculate("dibao_benefit", period)
t_calc = time.perf_counter() - t
eligible = sim.calculate("dibao_eligible", period)
print(json.dumps({"households": n_hh, "persons": n_p, "build_seconds": t_build, "calc_seconds": t_calc,
                  "eligible": int(eligible.sum()), "total_benefit_yuan": float(benefit.astype(np.float64).sum()),
                  "benefit_yuan": [float(x) for x in benefit[:1000]]}))
