"""Airloom insights: what each workflow and model costs and returns, questions about it in
plain English, automated insights and executive reports, over the platform's activity."""
