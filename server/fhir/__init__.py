"""The FHIR R4 API under /fhir for the HIS and the regional chronic-disease system."""
