"""The names pages show for codes (sections, states, statuses, fields, signals): code -> message id.

Each id is a literal so that extraction finds it; templates call `_(names.section[q.section])`.
A code missing here raises KeyError, so a new code cannot reach a page untranslated.
"""

from advisor.i18n import N_, MessageId

NAMES: dict[str, dict[str, MessageId]] = {
    "section": {
        "organisation": N_("wizard.section.organisation"),
        "strategy": N_("wizard.section.strategy"),
        "business": N_("wizard.section.business"),
        "channels": N_("wizard.section.channels"),
        "data": N_("wizard.section.data"),
    },
    "step_state": {
        "done": N_("wizard.state.done"),
        "current": N_("wizard.state.current"),
        "todo": N_("wizard.state.todo"),
    },
    "plan_status": {
        "draft": N_("wizard.status.draft"),
        "ready": N_("wizard.status.ready"),
    },
    "gap_letter": {
        "owner": N_("wizard.gap.letter.owner"),
        "plan": N_("wizard.gap.letter.plan"),
        "reporting": N_("wizard.gap.letter.reporting"),
        "measurement": N_("wizard.gap.letter.measurement"),
    },
    "severity": {
        "error": N_("wizard.gap.error"),
        "warning": N_("wizard.gap.warning"),
    },
    "plan_field": {
        "statement": N_("wizard.field.statement"),
        "owner": N_("wizard.field.owner"),
        "report_to": N_("wizard.field.report_to"),
        "baseline": N_("wizard.field.baseline"),
        "baseline_date": N_("wizard.field.baseline_date"),
        "target": N_("wizard.field.target"),
        "deadline": N_("wizard.field.deadline"),
        "milestones": N_("wizard.field.milestones"),
        "frequency": N_("wizard.field.frequency"),
        "data_source": N_("wizard.field.data_source"),
        "commitment": N_("wizard.field.commitment"),
        "goals": N_("wizard.field.goals"),
    },
    "check_item": {
        "owner": N_("wizard.check_item.owner"),
        "baseline": N_("wizard.check_item.baseline"),
        "target": N_("wizard.check_item.target"),
        "deadline": N_("wizard.check_item.deadline"),
        "frequency": N_("wizard.check_item.frequency"),
        "data_source": N_("wizard.check_item.data_source"),
    },
    "check_state": {
        "done": N_("wizard.check_state.done"),
        "todo": N_("wizard.check_state.todo"),
        "invalid": N_("wizard.check_state.invalid"),
        "problem": N_("wizard.check_state.problem"),
        "warning": N_("wizard.check_state.warning"),
    },
    "card_paper": {
        "a4": N_("wizard.cards.print_hint_a4"),
        "a5": N_("wizard.cards.print_hint_a5"),
    },
    "review_status": {
        "open": N_("review.status.open"),
        "done": N_("review.status.done"),
    },
    "review_basis": {
        "values": N_("review.basis.values"),
        "season_adjusted": N_("review.basis.season_adjusted"),
        "forecast_residuals": N_("review.basis.forecast_residuals"),
    },
    "signal": {
        "beyond_limit": N_("review.signal.beyond_limit"),
        "three_of_four": N_("review.signal.three_of_four"),
        "run_of_8": N_("review.signal.run_of_8"),
        "range_beyond_url": N_("review.signal.range_beyond_url"),
    },
    "import_column": {
        "kpi": N_("review.column.kpi"),
        "period": N_("review.measurement.period"),
        "value": N_("review.measurement.value"),
        "target": N_("review.measurement.target"),
        "note": N_("review.measurement.note"),
        "exclude": N_("review.measurement.exclude"),
    },
    "entry_field": {
        "kpi": N_("review.entry.kpi"),
        "period": N_("review.entry.period"),
        "value": N_("review.entry.value"),
        "target": N_("review.entry.target"),
        "note": N_("review.entry.note"),
    },
}
