"""Reports over stored plans (continuity of care)."""
