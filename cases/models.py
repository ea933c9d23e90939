"""Visits, cases, referrals and alerts (issue 5). Nothing yet."""
