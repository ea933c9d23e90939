from django.urls import path

from cases.views import accesslog, cases, referrals, resident, search, supervisor, visits, worklist

app_name = "cases"

urlpatterns = [
    path("worklist/", worklist.worklist, name="worklist"),
    path("search/", search.search, name="search"),
    path("residents/<int:pk>/", resident.resident, name="resident"),
    path("residents/<int:pk>/unmask/", resident.unmask, name="unmask"),
    path("residents/<int:pk>/visits/new/", visits.visit_new, name="visit_new"),
    path("residents/<int:pk>/cases/open/", cases.case_open, name="case_open"),
    path("visits/<int:pk>/", visits.visit, name="visit"),
    path("visits/<int:pk>/open-case/", visits.visit_open_case, name="visit_open_case"),
    path("cases/overdue/", cases.overdue, name="overdue"),
    path("cases/<int:pk>/", cases.case, name="case"),
    path("cases/<int:pk>/advance/", cases.case_advance, name="case_advance"),
    path("cases/<int:pk>/approve/", cases.case_approve, name="case_approve"),
    path("cases/<int:pk>/assign/", cases.case_assign, name="case_assign"),
    path("cases/<int:pk>/services/", cases.service_add, name="service_add"),
    path("cases/<int:pk>/refer/", referrals.referral_new, name="referral_new"),
    path("referrals/", referrals.referrals, name="referrals"),
    path("referrals/<int:pk>/", referrals.referral, name="referral"),
    path("referrals/<int:pk>/decide/", referrals.referral_decide, name="referral_decide"),
    path("referrals/<int:pk>/end/", referrals.referral_end, name="referral_end"),
    path("supervisor/", supervisor.supervisor, name="supervisor"),
    path("audit/access-log/", accesslog.access_log, name="access_log"),
    path("audit/review/", accesslog.access_review, name="access_review"),
]
