"""Interagency social support portal (социальное сопровождение)."""
