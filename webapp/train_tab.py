"""Train & Evaluate tab: launch SFT/DPO/KTO training and evaluations as background `thce` jobs (core.jobs),
follow their logs, cancel them; browse evaluation reports and compare two.

Everything launchable is a fixed choice from core.launcher (stage configs in training/configs, a safe list
of datasets, listed models/baselines); everything here is for administrators (THCE_ADMINS; the local user of
an open app), and launching also needs THCE_ALLOW_JOBS=1 or a login named in THCE_ADMINS. Choices are names
or repo-relative paths: no server path reaches the page.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from PIL import Image

from core import launcher, reports
from core.store import StoreError
from webapp import job_views, report_views
from webapp.auth import ADMIN, identify, role_of, user_for
from webapp.common import UserError

POLL_SECONDS = 2.0
NO_JOB = "Start a job, or click one in the list to follow it."


ADMIN_ONLY = "Jobs and reports are for administrators (THCE_ADMINS)."


def _jobs_permission(request: gr.Request | None, profile: gr.OAuthProfile | None) -> tuple[bool, str]:
    return launcher.jobs_allowed(identify(request, profile), role_of(request, profile) == ADMIN)


def _is_admin(request: gr.Request | None, profile: gr.OAuthProfile | None) -> bool:
    return role_of(request, profile) == ADMIN


def access(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
    """Markdown saying whether this user may launch jobs, and the launch buttons' state."""
    allowed, why = _jobs_permission(request, profile)
    text = ("**Jobs enabled:** " if allowed else "**Jobs disabled:** ") + why
    return text, gr.update(interactive=allowed), gr.update(interactive=allowed)


def _require_jobs(request: gr.Request | None, profile: gr.OAuthProfile | None) -> None:
    user_for(request, profile, ADMIN, "launch or cancel jobs")
    allowed, why = _jobs_permission(request, profile)
    if not allowed:
        raise UserError(f"Jobs are disabled: {why}")


def _started(job_id: int) -> tuple:
    status, log, finished = job_views.job_view(job_id)
    return job_id, status, log, job_views.jobs_table(), gr.Timer(active=not finished)


def start_training(config: str, use_pairs: bool, request: gr.Request = None,
                   profile: gr.OAuthProfile | None = None) -> tuple:
    _require_jobs(request, profile)
    try:
        return _started(launcher.launch_training(config, bool(use_pairs)))
    except StoreError as exc:
        raise UserError(str(exc)) from exc


def start_eval(dataset: str, subject: str, limit: float | None, request: gr.Request = None,
               profile: gr.OAuthProfile | None = None) -> tuple:
    _require_jobs(request, profile)
    try:
        return _started(launcher.launch_eval(dataset, subject, int(limit) if limit else None))
    except StoreError as exc:
        raise UserError(str(exc)) from exc


def poll(job_id: float | None, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
    """Timer tick: the selected job's status and log, the job list; stops the timer when the job ended."""
    if not _is_admin(request, profile):
        return ADMIN_ONLY, "", [], gr.Timer(active=False)
    if not job_id:
        return NO_JOB, "", job_views.jobs_table(), gr.Timer(active=False)
    try:
        status, log, finished = job_views.job_view(int(job_id))
    except StoreError as exc:
        return f"⚠ {exc}", "", job_views.jobs_table(), gr.Timer(active=False)
    return status, log, job_views.jobs_table(), gr.Timer(active=not finished)


def select_job(evt: gr.SelectData, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
    row = evt.row_value or []
    job_id = int(row[0]) if row else None
    return (job_id, *poll(job_id, request, profile))


def cancel(job_id: float | None, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
    _require_jobs(request, profile)
    if not job_id:
        raise UserError("select a job first (click it in the list)")
    from core.jobs import cancel_job

    try:
        stopped = cancel_job(int(job_id))
    except StoreError as exc:
        raise UserError(str(exc)) from exc
    if not stopped:
        gr.Info(f"job {int(job_id)} had already finished")
    return poll(job_id, request, profile)


def report_choices() -> list[str]:
    """The listed reports (core.reports) as administrators see them: relative to the repository root where
    they lie under it."""
    return [launcher.repo_relative(path) for path in reports.list_reports()]


def listed_report(choice: str) -> str:
    """The listed report a choice of report_choices() names; the choice itself when none does (core.reports
    then refuses it)."""
    return next((path for path in reports.list_reports() if launcher.repo_relative(path) == choice), choice)


def list_reports(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
    found = report_choices() if _is_admin(request, profile) else []
    first = found[0] if found else None
    second = found[1] if len(found) > 1 else first
    return (gr.update(choices=found, value=first), gr.update(choices=found, value=second),
            gr.update(choices=found, value=first))


def show_report(path: str | None, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> tuple:
    if not path:
        return "No report selected.", [], None
    user_for(request, profile, ADMIN, "read evaluation reports")
    try:
        summary, rows, png = report_views.load_report_view(listed_report(path))
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    return summary, rows, Image.open(png) if png else None


def compare(path_a: str | None, path_b: str | None, request: gr.Request = None,
            profile: gr.OAuthProfile | None = None) -> tuple:
    user_for(request, profile, ADMIN, "compare evaluation reports")
    if not path_a or not path_b:
        raise UserError("pick two reports to compare")
    try:
        return report_views.comparison_view(listed_report(path_a), listed_report(path_b))
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def _default_subject(subjects: list[str], model: str | None) -> str | None:
    """The app's own model (by its folder name) when it is listed, else the first choice."""
    name = Path(model).name if model else ""
    return name if name in subjects else (subjects[0] if subjects else None)


def _jobs_panel(model: str | None = None) -> dict:
    configs = launcher.stage_configs()
    datasets, subjects = launcher.eval_datasets(), launcher.eval_subjects()
    with gr.Row():
        with gr.Column():
            gr.Markdown("#### Train (SFT stages 1–2, DPO stage 3, KTO)")
            config = gr.Dropdown(configs, value=launcher.default_config(), label="Stage config")
            use_pairs = gr.Checkbox(label="DPO on the reviewed preference pairs (stage_3 configs); KTO on the "
                                          "review signals (KTO configs)")
            train = gr.Button("Start training", variant="primary", interactive=False, elem_id="start-training")
        with gr.Column():
            gr.Markdown("#### Evaluate")
            dataset = gr.Dropdown(datasets, value=datasets[0], label="Dataset")
            subject = gr.Dropdown(subjects, value=_default_subject(subjects, model), label="Model or baseline")
            limit = gr.Number(value=50, precision=0, minimum=1, label="Cases (limit)")
            evaluate = gr.Button("Start evaluation", variant="primary", interactive=False, elem_id="start-eval")
    return {"config": config, "use_pairs": use_pairs, "train": train, "dataset": dataset, "subject": subject,
            "limit": limit, "evaluate": evaluate}


def _reports_panel() -> list[gr.Dropdown]:
    gr.Markdown("#### Reports")
    refresh = gr.Button("Refresh report list", size="sm")
    report = gr.Dropdown([], label="Report", allow_custom_value=False)
    summary = gr.Markdown()
    metrics = gr.Dataframe(headers=report_views.METRICS_HEADERS, interactive=False, label="Metrics",
                           column_widths=["14%"] + ["10%"] * 7 + ["16%"])
    plot = gr.Image(label="Plots", type="pil", interactive=False, height=420)
    with gr.Accordion("Compare two reports", open=False):
        with gr.Row():
            report_a = gr.Dropdown([], label="A")
            report_b = gr.Dropdown([], label="B")
        compare_button = gr.Button("Compare (B − A)", size="sm")
        header = gr.Markdown()
        rows = gr.Dataframe(headers=report_views.COMPARE_HEADERS, interactive=False, label="Comparison")
    refresh.click(list_reports, None, [report, report_a, report_b], api_visibility="private")
    report.change(show_report, report, [summary, metrics, plot], api_visibility="private")
    compare_button.click(compare, [report_a, report_b], [header, rows], api_visibility="private")
    return [report, report_a, report_b]


def build_train_tab(model: str | None = None) -> dict:
    """Lay out the tab; returns `load` events for app.py (access check and report list on page load)."""
    permission = gr.Markdown(elem_id="jobs-permission")
    panel = _jobs_panel(model)
    gr.Markdown("#### Jobs")
    job_id = gr.State(None)  # the job followed (its status line names it)
    job_status = gr.Markdown(NO_JOB)
    with gr.Row():
        refresh_jobs = gr.Button("Refresh", size="sm")
        cancel_button = gr.Button("Cancel the followed job", variant="stop", size="sm")
    jobs = gr.Dataframe(headers=job_views.JOB_COLUMNS, interactive=False, label="Jobs (click one to follow it)",
                        wrap=True, column_widths=["6%", "7%", "10%", "43%", "14%", "14%", "6%"])
    log = gr.Textbox(label="Log (tail)", lines=14, max_lines=14, autoscroll=True, interactive=False)
    timer = gr.Timer(POLL_SECONDS, active=False)
    report_lists = _reports_panel()

    followed = [job_id, job_status, log, jobs, timer]
    panel["train"].click(start_training, [panel["config"], panel["use_pairs"]], followed, api_visibility="private")
    panel["evaluate"].click(start_eval, [panel["dataset"], panel["subject"], panel["limit"]], followed,
                            api_visibility="private")
    timer.tick(poll, job_id, followed[1:], api_visibility="private", show_progress="hidden")
    refresh_jobs.click(poll, job_id, followed[1:], api_visibility="private")
    jobs.select(select_job, None, followed, api_visibility="private")
    cancel_button.click(cancel, job_id, followed[1:], api_visibility="private")
    return {"load": [(access, [permission, panel["train"], panel["evaluate"]]), (recent_jobs, [jobs]),
                     (list_reports, report_lists)]}


def recent_jobs(request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> list[list]:
    return job_views.jobs_table() if _is_admin(request, profile) else []
