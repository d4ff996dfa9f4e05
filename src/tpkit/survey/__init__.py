"""The customer feedback loop: questionnaires, links and QR codes, survey import, metrics."""
