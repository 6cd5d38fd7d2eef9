"""The yearly inspection plan (kế hoạch kiểm tra năm): risk scores in SQL (``risk``), the administrator's weights
(``settings``), the plan and its annex (``service``), its document (``content``) and pages (``views``)."""
