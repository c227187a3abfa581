"""The demo medical group: organisations, one account for every role, integration clients,
rights and patients with realistic, fictional data. Used by `rxp demo`, `rxp seed` and tests.

Idempotent: organisations, users and clients are matched by code / username; running it again
resets the demo accounts' passwords and second factors to the ones it returns.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyotp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common import signing
from server.access.models import PrescribingRight, ReviewingRight
from server.access.roles import DrugClass, PharmacistLevel, ProfessionalTitle, Role
from server.catalogue.seed import seed_catalogue
from server.circulation.seed import assign_trace_identities
from server.clinical.models import PatientAllergy, PatientDiagnosis, PatientMedication
from server.delivery.seed import seed_tariffs
from server.identity.auth_service import TOTP_CONTEXT
from server.identity.credentials import hash_password
from server.identity.models import IntegrationClient, StaffUser
from server.knowledge.seed import seed_knowledge
from server.organisations.models import Organisation, OrganisationKind, OrganisationStatus
from server.organisations.service import child_path
from server.patients import identity
from server.patients.models import Patient
from server.personal_data.cipher import FieldCipher
from server.personal_data.id_number import make_id_number
from server.pharmacies.seed import seed_pharmacy_profiles, seed_pharmacy_stock
from server.prescriptions.models import PharmacistDuty
from server.signatures.models import SigningCertificate

DEMO_PASSWORD = "Rxp-Demo#2026"  # demo only; `rxp serve` refuses the demo environment

K = OrganisationKind
ORGANISATIONS: list[tuple[str, str, str, str | None, str]] = [
    # code, kind, name, parent code, status
    ("GRP", K.GROUP, "滨江市城市医疗集团", None, OrganisationStatus.ACTIVE),
    ("H1", K.HOSPITAL, "滨江市第一人民医院", "GRP", OrganisationStatus.ACTIVE),
    ("H1-IM", K.DEPARTMENT, "内科", "H1", OrganisationStatus.ACTIVE),
    ("H1-CARD", K.DEPARTMENT, "心血管内科", "H1", OrganisationStatus.ACTIVE),
    ("H1-PED", K.DEPARTMENT, "儿科", "H1", OrganisationStatus.ACTIVE),
    ("H1-ER", K.DEPARTMENT, "急诊科", "H1", OrganisationStatus.ACTIVE),
    ("H1-PHARM", K.DEPARTMENT, "药学部", "H1", OrganisationStatus.ACTIVE),
    ("H2", K.HOSPITAL, "滨江市中医医院", "GRP", OrganisationStatus.ACTIVE),
    ("H2-IM", K.DEPARTMENT, "内科", "H2", OrganisationStatus.ACTIVE),
    ("H2-RESP", K.DEPARTMENT, "呼吸内科", "H2", OrganisationStatus.ACTIVE),
    ("H2-PHARM", K.DEPARTMENT, "药剂科", "H2", OrganisationStatus.ACTIVE),
    ("C1", K.CLINIC, "东湖街道社区卫生服务中心", "GRP", OrganisationStatus.ACTIVE),
    ("C1-GP", K.DEPARTMENT, "全科", "C1", OrganisationStatus.ACTIVE),
    ("P1", K.PHARMACY, "康宁大药房（人民路店）", "GRP", OrganisationStatus.ACTIVE),
    ("P2", K.PHARMACY, "益民大药房（解放路店）", "GRP", OrganisationStatus.ACTIVE),
    ("P3", K.PHARMACY, "百草堂药房（滨江店）", "GRP", OrganisationStatus.ACTIVE),
    ("P4", K.PHARMACY, "仁心药房（新城店）", "GRP", OrganisationStatus.PENDING),
]
ORG_CONTACT = {
    "H1": ("滨江市人民路 100 号", "0571-87000001"),
    "H2": ("滨江市中山北路 25 号", "0571-87000002"),
    "C1": ("滨江市东湖街道东湖路 8 号", "0571-87000003"),
    "P1": ("滨江市人民路 118 号", "0571-86110001"),
    "P2": ("滨江市解放路 56 号", "0571-86110002"),
    "P3": ("滨江市滨江区江南大道 300 号", "0571-86110003"),
    "P4": ("滨江市新城区富春路 9 号", "0571-86110004"),
}

T, L = ProfessionalTitle, PharmacistLevel
USERS: list[dict[str, Any]] = [
    # username, name, org code, department code, roles, title, level
    dict(username="doctor_wang", name="王建国", org="H1", dept="H1-IM", roles=[Role.DOCTOR],
         title=T.ATTENDING),
    dict(username="doctor_li", name="李秀英", org="H1", dept="H1-CARD", roles=[Role.DOCTOR],
         title=T.CHIEF),
    dict(username="doctor_zhao", name="赵敏", org="H1", dept="H1-PED", roles=[Role.DOCTOR],
         title=T.RESIDENT),
    dict(username="doctor_sun", name="孙立新", org="H2", dept="H2-IM", roles=[Role.DOCTOR],
         title=T.ASSOCIATE_CHIEF),
    dict(username="gp_zhou", name="周海燕", org="C1", dept="C1-GP", roles=[Role.DOCTOR],
         title=T.ATTENDING),
    dict(username="pharm_chen", name="陈静", org="H1", dept="H1-PHARM", roles=[Role.PHARMACIST],
         level=L.SUPERVISING),
    dict(username="pharm_liu", name="刘洋", org="H1", dept="H1-PHARM", roles=[Role.PHARMACIST],
         level=L.PHARMACIST),
    dict(username="pharm_huang", name="黄志强", org="H2", dept="H2-PHARM",
         roles=[Role.PHARMACIST], level=L.ASSOCIATE_CHIEF),
    dict(username="store_kangning", name="吴芳", org="P1", roles=[Role.PHARMACY_STAFF]),
    # A second pair of hands at P1: the checker who checks what the dispenser picked.
    dict(username="store_qian", name="钱勇", org="P1", roles=[Role.PHARMACY_STAFF]),
    dict(username="store_yimin", name="郑凯", org="P2", roles=[Role.PHARMACY_STAFF]),
    dict(username="store_baicao", name="冯丽", org="P3", roles=[Role.PHARMACY_STAFF]),
    dict(username="admin_h1", name="何伟", org="H1", roles=[Role.HOSPITAL_ADMIN]),
    dict(username="admin_group", name="高峰", org="GRP", roles=[Role.HOSPITAL_ADMIN]),
    dict(username="sysadmin", name="林涛", org="GRP", roles=[Role.SYSTEM_ADMIN]),
    dict(username="secadmin", name="罗琳", org="GRP", roles=[Role.SECURITY_ADMIN]),
    dict(username="auditor", name="谢婷", org="GRP", roles=[Role.AUDITOR]),
]

CLIENTS = [
    ("his-h1", "滨江市第一人民医院 HIS", "his", "H1"),
    ("his-h2", "滨江市中医医院 HIS", "his", "H2"),
    ("regional-chronic", "区域慢病管理系统", "regional", "GRP"),
    ("insurance", "医保电子处方中心", "insurance", "GRP"),
    ("kiosk-h1-01", "滨江市第一人民医院 门诊大厅自助机 01", "kiosk", "H1"),
]

# name, region, birth, sequence, phone, address, registering hospital, weight, pregnant
PATIENTS: list[tuple[str, str, date, int, str, str, str, str, bool]] = [
    ("张伟", "330106", date(1956, 3, 12), 31, "13857101234", "浙江省杭州市西湖区文三路 88 号 2 幢 301 室", "H1", "68.5", False),
    ("王芳", "330102", date(1988, 7, 2), 42, "13957102345", "浙江省杭州市上城区解放路 12 号 5 单元 602 室", "H1", "55.0", True),
    ("李娜", "330105", date(1992, 11, 23), 18, "15067103456", "浙江省杭州市拱墅区湖墅南路 66 号 1 幢 1102 室", "H1", "52.0", False),
    ("刘洋", "330108", date(1979, 5, 30), 57, "13605714567", "浙江省杭州市滨江区江南大道 210 号 3 幢 801 室", "H1", "75.2", False),
    ("陈静", "330110", date(1965, 1, 9), 24, "18868105678", "浙江省杭州市余杭区文一西路 998 号 7 幢 202 室", "H2", "60.3", False),
    ("杨光", "330106", date(2016, 9, 14), 35, "13777106789", "浙江省杭州市西湖区古墩路 15 号 4 幢 502 室", "H1", "24.0", False),
    ("赵雷", "330104", date(1948, 12, 1), 11, "13588107890", "浙江省杭州市江干区凯旋路 201 号 9 幢 101 室", "H2", "63.0", False),
    ("黄丽", "330105", date(1983, 4, 17), 62, "13456108901", "浙江省杭州市拱墅区莫干山路 100 号 2 单元 703 室", "C1", "58.4", False),
    ("周杰", "330109", date(1971, 8, 8), 73, "15958109012", "浙江省杭州市萧山区人民路 300 号 6 幢 1201 室", "C1", "80.1", False),
    ("吴敏", "330102", date(1959, 6, 25), 46, "13867100123", "浙江省杭州市上城区清泰街 450 号 1 幢 405 室", "H1", "57.7", False),
    ("徐强", "330108", date(1995, 2, 3), 19, "18757101122", "浙江省杭州市滨江区长河路 590 号 11 幢 2301 室", "H2", "70.0", False),
    ("孙丽华", "330106", date(1940, 10, 19), 28, "13305712233", "浙江省杭州市西湖区天目山路 176 号 8 幢 603 室", "C1", "50.5", False),
]


@dataclass
class DemoAccount:
    username: str
    password: str
    totp_secret: str
    role: str
    roles: list[str]
    organisation: str
    organisation_code: str
    display_name: str
    id: str = ""
    # Doctors and pharmacists sign; their private key lives in the app's keyring (here: demo).
    signing_algorithm: str | None = None
    signing_key: str | None = None


@dataclass
class DemoGroup:
    accounts: list[DemoAccount] = field(default_factory=list)
    clients: list[dict[str, str]] = field(default_factory=list)
    patients: list[dict[str, str]] = field(default_factory=list)
    organisations: dict[str, str] = field(default_factory=dict)  # code -> id

    def account(self, username: str) -> DemoAccount:
        return next(a for a in self.accounts if a.username == username)

    def by_role(self, role: str) -> DemoAccount:
        return next(a for a in self.accounts if role in a.roles)

    def as_json(self) -> dict[str, Any]:
        return {"accounts": [asdict(a) for a in self.accounts], "clients": self.clients,
                "patients": self.patients, "organisations": self.organisations}


async def _organisations(session: AsyncSession) -> dict[str, Organisation]:
    existing = {o.code: o for o in (await session.scalars(select(Organisation))).all()}
    for code, kind, name, parent_code, status in ORGANISATIONS:
        if code in existing:
            continue
        parent = existing[parent_code] if parent_code else None
        org_id = uuid.uuid4()
        address, phone = ORG_CONTACT.get(code, (None, None))
        org = Organisation(id=org_id, kind=kind, code=code, name=name,
                           parent_id=parent.id if parent else None,
                           path=child_path(parent, org_id), status=status, address=address,
                           phone=phone)
        session.add(org)
        existing[code] = org
    await session.flush()
    return existing


async def _users(session: AsyncSession, cipher: FieldCipher, orgs: dict[str, Organisation],
                 group: DemoGroup) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    for spec in USERS:
        user = (await session.scalars(
            select(StaffUser).where(StaffUser.username == spec["username"]))).first()
        secret = pyotp.random_base32()
        if user is None:
            user = StaffUser(username=spec["username"])
            session.add(user)
        user.display_name = spec["name"]
        user.org_id = orgs[spec["org"]].id
        user.department_id = orgs[spec["dept"]].id if spec.get("dept") else None
        user.roles = [r.value for r in spec["roles"]]
        user.professional_title = spec.get("title")
        user.pharmacist_level = spec.get("level")
        user.password_hash = password_hash
        user.password_changed_at = datetime.now(UTC)
        user.totp_secret_enc = cipher.encrypt(secret, context=TOTP_CONTEXT)
        user.status = "active"
        user.failed_logins = 0
        user.locked_until = None
        await session.flush()
        group.accounts.append(DemoAccount(
            username=user.username, password=DEMO_PASSWORD, totp_secret=secret,
            role=user.roles[0], roles=user.roles, organisation=orgs[spec["org"]].name,
            organisation_code=spec["org"], display_name=user.display_name, id=str(user.id)))


async def _clients(session: AsyncSession, orgs: dict[str, Organisation],
                   group: DemoGroup) -> None:
    for client_id, name, kind, org_code in CLIENTS:
        client = (await session.scalars(
            select(IntegrationClient).where(IntegrationClient.client_id == client_id))).first()
        secret = secrets.token_urlsafe(24)
        if client is None:
            client = IntegrationClient(client_id=client_id)
            session.add(client)
        client.name, client.kind, client.org_id = name, kind, orgs[org_code].id
        client.secret_hash = hash_password(secret)
        group.clients.append({"client_id": client_id, "client_secret": secret, "kind": kind,
                              "name": name, "organisation_code": org_code})
    await session.flush()


async def _rights(session: AsyncSession, orgs: dict[str, Organisation]) -> None:
    if (await session.scalars(select(PrescribingRight).limit(1))).first():
        return
    d = DrugClass
    seniority = [T.ASSISTANT, T.RESIDENT, T.ATTENDING, T.ASSOCIATE_CHIEF, T.CHIEF]
    # The minimum title for each class (抗菌药物分级管理: 限制级 主治及以上, 特殊级 副高及以上).
    minimum = {d.ORDINARY: T.ASSISTANT, d.CHRONIC: T.ASSISTANT,
               d.ANTIBIOTIC_UNRESTRICTED: T.RESIDENT, d.ANTIBIOTIC_RESTRICTED: T.ATTENDING,
               d.ANTIBIOTIC_SPECIAL: T.ASSOCIATE_CHIEF, d.TOXIC: T.ATTENDING,
               d.PSYCHOTROPIC_2: T.ATTENDING}
    clinical = [o for o in orgs.values()
                if o.kind == K.DEPARTMENT and not o.code.endswith("PHARM")]
    for dept in clinical:
        for drug_class, lowest in minimum.items():
            for title in seniority[seniority.index(lowest):]:
                session.add(PrescribingRight(department_id=dept.id, title=title,
                                             drug_class=drug_class))
    levels = [L.ASSISTANT, L.PHARMACIST, L.SUPERVISING, L.ASSOCIATE_CHIEF, L.CHIEF]
    review_minimum = {d.ORDINARY: L.PHARMACIST, d.CHRONIC: L.PHARMACIST,
                      d.ANTIBIOTIC_UNRESTRICTED: L.PHARMACIST,
                      d.ANTIBIOTIC_RESTRICTED: L.SUPERVISING, d.ANTIBIOTIC_SPECIAL: L.SUPERVISING,
                      d.TOXIC: L.SUPERVISING, d.PSYCHOTROPIC_2: L.SUPERVISING}
    for drug_class, lowest_level in review_minimum.items():
        for level in levels[levels.index(lowest_level):]:
            session.add(ReviewingRight(level=level, drug_class=drug_class))
    await session.flush()


async def _patients(session: AsyncSession, cipher: FieldCipher, orgs: dict[str, Organisation],
                    group: DemoGroup) -> None:
    for i, (name, region, birth, seq, phone, address, org_code, weight, pregnant) in enumerate(
            PATIENTS, start=1):
        id_number = make_id_number(region, birth, seq)
        insurance_card = f"33010{i:02d}{birth:%y}{seq:05d}"
        hospital_card = f"{org_code}{20260000 + i * 37:08d}"
        bidx = identity.blind_index(cipher, "id_number", id_number)
        patient = (await session.scalars(
            select(Patient).where(Patient.id_number_bidx == bidx))).first()
        if patient is None:
            patient = Patient(
                org_id=orgs[org_code].id, sex="male" if int(id_number[16]) % 2 else "female",
                birth_date=birth, weight_kg=Decimal(weight), pregnant=pregnant,
                key_version=cipher.keyring.active_version,
                **identity.seal(cipher, name=name, id_number=id_number, phone=phone,
                                address=address, insurance_card=insurance_card,
                                hospital_card=hospital_card))
            session.add(patient)
            await session.flush()
        group.patients.append({"id": str(patient.id), "name": name, "id_number": id_number,
                               "phone": phone, "insurance_card": insurance_card,
                               "hospital_card": hospital_card, "organisation_code": org_code})


async def seed_demo(session: AsyncSession, cipher: FieldCipher,
                    signing_keys: dict[str, str] | None = None) -> DemoGroup:
    """Seed (or refresh) the demo group; the caller commits."""
    group = DemoGroup()
    orgs = await _organisations(session)
    group.organisations = {code: str(org.id) for code, org in orgs.items()}
    await _users(session, cipher, orgs, group)
    await _clients(session, orgs, group)
    await _rights(session, orgs)
    await _patients(session, cipher, orgs, group)
    await seed_catalogue(session, approved_by_name="药事管理与药物治疗学委员会")
    await assign_trace_identities(session)
    await seed_knowledge(session)
    await _signing_keys(session, group, signing_keys or {})
    await _pharmacists_on_duty(session, group)
    await _clinical_facts(session, group)
    await _pharmacies(session, orgs)
    return group


async def _pharmacies(session: AsyncSession, orgs: dict[str, Organisation]) -> None:
    """Pharmacy profiles, their stock feed, and the carriers' courier tariffs."""
    await seed_pharmacy_profiles(session, orgs)
    await seed_pharmacy_stock(session, orgs)
    await seed_tariffs(session)


async def _signing_keys(session: AsyncSession, group: DemoGroup,
                        known: dict[str, str]) -> None:
    """A key pair and a registered public key for every doctor and pharmacist. Keys of an
    earlier run (`known`, username -> private key PEM) are kept while still registered."""
    registrar = uuid.UUID(group.account("admin_h1").id)
    now = datetime.now(UTC)
    for account in group.accounts:
        if not {"doctor", "pharmacist"} & set(account.roles):
            continue
        pem = known.get(account.username)
        if pem is not None:
            public = signing.load_private_key(pem).public
            registered = (await session.scalars(select(SigningCertificate).where(
                SigningCertificate.fingerprint == public.fingerprint,
                SigningCertificate.status == "active"))).first()
            if registered is not None:
                account.signing_key, account.signing_algorithm = pem, public.algorithm
                continue
        pem = signing.generate_private_key(signing.DEFAULT_ALGORITHM)
        public = signing.load_private_key(pem).public
        session.add(SigningCertificate(
            user_id=uuid.UUID(account.id), algorithm=public.algorithm, public_key=public.pem,
            fingerprint=public.fingerprint, registered_by=registrar, registered_at=now,
            valid_from=now, status="active"))
        account.signing_key, account.signing_algorithm = pem, public.algorithm
    await session.flush()


async def _pharmacists_on_duty(session: AsyncSession, group: DemoGroup) -> None:
    for account in group.accounts:
        if "pharmacist" in account.roles:
            user_id = uuid.UUID(account.id)
            if await session.get(PharmacistDuty, user_id) is None:
                session.add(PharmacistDuty(user_id=user_id, on_duty=True, org_id=uuid.UUID(
                    group.organisations[account.organisation_code])))
    await session.flush()


# Allergies, diagnoses and current medication the checks can find (by patient name).
ALLERGIES = {"吴敏": ("penicillins", "青霉素", "皮疹、呼吸困难", "severe"),
             "黄丽": ("sulfonamides", "磺胺类", "荨麻疹", "moderate")}
DIAGNOSES = {"吴敏": [("I10", "原发性高血压")], "刘洋": [("I48.9", "心房颤动")],
             "周杰": [("E11.9", "2型糖尿病"), ("I10", "原发性高血压")],
             "王芳": [("O26.9", "妊娠相关情况")]}
MEDICATIONS = {"刘洋": [("华法林", "B01AA03", "2.5mg qd")],
               "周杰": [("二甲双胍", "A10BA02", "0.5g tid")]}


async def _clinical_facts(session: AsyncSession, group: DemoGroup) -> None:
    if (await session.scalars(select(PatientAllergy).limit(1))).first():
        return
    now = datetime.now(UTC)
    for patient in group.patients:
        common = {"patient_id": uuid.UUID(patient["id"]), "source": "his", "recorded_at": now,
                  "recorded_by": "HIS",
                  "org_id": uuid.UUID(group.organisations[patient["organisation_code"]])}
        name = patient["name"]
        if name in ALLERGIES:
            cls, allergen, reaction, severity = ALLERGIES[name]
            session.add(PatientAllergy(allergen_class=cls, allergen=allergen, reaction=reaction,
                                       severity=severity, **common))
        for code, label in DIAGNOSES.get(name, []):
            session.add(PatientDiagnosis(icd10=code, name=label, **common))
        for generic, atc, dose in MEDICATIONS.get(name, []):
            session.add(PatientMedication(generic_name=generic, atc_code=atc, dose=dose,
                                          started_on=now.date(), **common))
    await session.flush()
