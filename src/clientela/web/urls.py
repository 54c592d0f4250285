"""URLs of the web interface (included at the site root)."""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from clientela.web import (
    auth_views,
    campaigns,
    cases,
    contacts,
    customers,
    dashboard,
    deals,
    feedback,
    global_search,
    jobs,
    model_run,
    notifications,
    parties,
    pipeline,
    planner,
    segments,
    surveys,
    tasks,
)

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/new/", parties.party_new, name="customer-new"),
    path("customers/duplicates/", parties.duplicates, name="customer-duplicates"),
    path("customers/<int:party_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:party_id>/edit/", parties.party_edit, name="customer-edit"),
    path("customers/<int:party_id>/archive/", parties.party_archive, name="customer-archive"),
    path("customers/<int:party_id>/restore/", parties.party_restore, name="customer-restore"),
    path("customers/<int:party_id>/contacts/new/", contacts.contact_new, name="contact-new"),
    path("contacts/<int:contact_id>/edit/", contacts.contact_edit, name="contact-edit"),
    path("contacts/<int:contact_id>/delete/", contacts.contact_delete, name="contact-delete"),
    path("parties/", parties.party_list, name="parties"),
    path("customers/<int:party_id>/timeline/", customers.customer_timeline, name="customer-timeline"),
    path("customers/<int:party_id>/interactions/", customers.log_interaction, name="log-interaction"),
    path("pipeline/", pipeline.pipeline_home, name="pipeline-home"),
    path("pipeline/<int:pipeline_id>/", pipeline.pipeline_board, name="pipeline"),
    path("pipeline/<int:pipeline_id>/stages/<int:stage_id>/cards/", pipeline.stage_cards, name="stage-cards"),
    path("deals/<int:deal_id>/move/", pipeline.move, name="move-deal"),
    path("deals/new/", deals.deal_new, name="deal-new"),
    path("deals/parties/", deals.party_options, name="deal-parties"),
    path("deals/<int:deal_id>/", deals.deal_detail, name="deal"),
    path("deals/<int:deal_id>/edit/", deals.deal_edit, name="deal-edit"),
    path("deals/<int:deal_id>/stage/", deals.deal_stage, name="deal-stage"),
    path("deals/<int:deal_id>/reopen/", deals.deal_reopen, name="deal-reopen"),
    path("deals/<int:deal_id>/lines/", deals.deal_line_add, name="deal-line-add"),
    path("deals/lines/<int:line_id>/delete/", deals.deal_line_remove, name="deal-line-remove"),
    path("deals/<int:deal_id>/notes/", deals.deal_note_add, name="deal-note-add"),
    path("segments/", segments.segment_list, name="segments"),
    path("segments/new/", segments.segment_new, name="segment-new"),
    path("segments/size/", segments.segment_size_fragment, name="segment-size"),
    path("segments/<int:segment_id>/", segments.segment_detail, name="segment"),
    path("segments/<int:segment_id>/edit/", segments.segment_edit, name="segment-edit"),
    path("segments/<int:segment_id>/delete/", segments.segment_delete, name="segment-delete"),
    path("segments/<int:segment_id>/campaign/", segments.segment_campaign, name="segment-campaign"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/<int:campaign_id>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/test/", campaigns.campaign_test, name="campaign-test"),
    path("campaigns/<int:campaign_id>/send/", campaigns.campaign_send, name="campaign-send"),
    path("campaigns/<int:campaign_id>/stop/", campaigns.campaign_stop, name="campaign-stop"),
    path("planner/", planner.equity_planner, name="planner"),
    # Service cases and the global search (issue 12, items 4 and 5)
    path("cases/", cases.case_queue, name="cases"),
    path("cases/new/", cases.case_new, name="case-new"),
    path("cases/new/parties/", cases.party_picker, name="case-party-picker"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
    path("cases/<int:case_id>/status/", cases.case_status, name="case-status"),
    path("cases/<int:case_id>/assign/", cases.case_assign, name="case-assign"),
    path("cases/<int:case_id>/notes/", cases.case_note, name="case-note"),
    path("search/", global_search.search_page, name="search"),
    path("feedback/", feedback.feedback, name="feedback"),
    path("surveys/", surveys.survey_list, name="surveys"),
    path("surveys/new/", surveys.survey_new, name="survey-new"),
    path("surveys/<int:survey_id>/", surveys.survey_detail, name="survey"),
    path("model/", model_run.model_page, name="model"),
    # tasks, My day and notifications
    path("my-day/", tasks.my_day, name="my-day"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/new/", tasks.task_new, name="task-new"),
    path("tasks/<int:task_id>/edit/", tasks.task_edit, name="task-edit"),
    path("tasks/<int:task_id>/<str:change>/", tasks.task_change, name="task-change"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:notification_id>/read/", notifications.mark_read, name="notification-read"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications-read-all"),
    path("notifications/digest/", notifications.digest_preference, name="digest-preference"),
    path("jobs/", jobs.job_list, name="jobs"),
]

auth_urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
