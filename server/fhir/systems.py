"""The identifier systems and code systems the platform's FHIR resources use: one place.

Our own systems live under one base URI. Public ones (ICD-10, UCUM, HL7 terminology) are the
standard URIs so a receiving system maps them without a table of ours.
"""

from __future__ import annotations

BASE = "https://fhir.rxp.example.cn"

# Identifier systems (NamingSystem URIs).
PRESCRIPTION_NUMBER = f"{BASE}/sid/prescription-number"  # 处方号, one per prescription
ORDER_NUMBER = f"{BASE}/sid/circulation-order-number"  # 流转订单号
ID_NUMBER = f"{BASE}/sid/resident-id-number"  # 居民身份证号 (GB 11643)
HOSPITAL_CARD = f"{BASE}/sid/hospital-card"  # 就诊卡号
INSURANCE_CARD = f"{BASE}/sid/insurance-card"  # 医保卡号
PHONE = "phone"
STAFF_USERNAME = f"{BASE}/sid/staff-username"
ORGANISATION_CODE = f"{BASE}/sid/organisation-code"
PRODUCT_ID = f"{BASE}/sid/catalogue-product"
INSURANCE_DRUG_CODE = f"{BASE}/sid/insurance-drug-code"  # 医保药品代码 (23 characters)
STANDARD_DRUG_CODE = f"{BASE}/sid/drug-standard-code"  # 药品本位码 (14 digits)
APPROVAL_NUMBER = f"{BASE}/sid/drug-approval-number"  # 批准文号
TRACE_CODE = f"{BASE}/sid/drug-trace-code"  # 药品追溯码, one per sales package

# Code systems.
PRESCRIPTION_STATUS = f"{BASE}/CodeSystem/prescription-status"  # the full lifecycle
VISIT_TYPE = f"{BASE}/CodeSystem/visit-type"
FREQUENCY = f"{BASE}/CodeSystem/dosing-frequency"  # qd, bid, tid ... (给药频次)
DRUG_CLASS = f"{BASE}/CodeSystem/drug-class"
ORGANISATION_KIND = f"{BASE}/CodeSystem/organisation-kind"
CHECK_KIND = f"{BASE}/CodeSystem/check-kind"
CHECK_LEVEL = f"{BASE}/CodeSystem/pass-level"  # the PASS scale (DOMAIN.md section 4)
AUDIT_ACTION = f"{BASE}/CodeSystem/audit-action"
PROFESSIONAL_TITLE = f"{BASE}/CodeSystem/professional-title"
# The patient-facing statuses after NHS Prescription Status Update (With Pharmacy, ...).
PATIENT_FACING_STATUS = f"{BASE}/CodeSystem/prescription-status-update"

ICD10 = "http://hl7.org/fhir/sid/icd-10"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"
V2_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
PROVENANCE_ACTIVITY = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PROVENANCE_AGENT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

# Extensions (StructureDefinition URLs).
EXT_EXTENDED_SUPPLY_REASON = f"{BASE}/StructureDefinition/extended-supply-reason"
EXT_CHRONIC_LIST = f"{BASE}/StructureDefinition/chronic-list"
EXT_DRUG_CLASS = f"{BASE}/StructureDefinition/drug-class"
EXT_BATCH_TRACE = f"{BASE}/StructureDefinition/trace-code"
