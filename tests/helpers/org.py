"""An AWS Organization on the local endpoint, as an operator's would be, for ``--org``.

``make_org`` creates, with plain boto3 calls as the caller (account 123456789012, the
management account), an organization whose tree is::

    root
    |- prod            a (active), closed (SUSPENDED)
    |  `- eu           b (active)
    |- dev             c (active)
    `- (in the root)   d (active)

moto creates ``OrganizationAccountAccessRole`` in each account it makes, and an
assumed role's credentials act in the role's account (moto maps the access key to
it), so each member has its own SSM state: ``member_client`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3

from tests.helpers.endpoint import client

MANAGEMENT = "123456789012"
ROLE = "OrganizationAccountAccessRole"


@dataclass(frozen=True)
class Org:
    root: str
    prod: str
    eu: str
    dev: str
    #: Account IDs by name: a, b, c, d, closed.
    accounts: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.accounts[name]


def make_org(aws: Any) -> Org:
    org = client(aws, "organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]

    def ou(parent: str, name: str) -> str:
        made = org.create_organizational_unit(ParentId=parent, Name=name)
        return str(made["OrganizationalUnit"]["Id"])

    prod = ou(root, "prod")
    eu = ou(prod, "eu")
    dev = ou(root, "dev")
    accounts: dict[str, str] = {}
    for name, parent in (("a", prod), ("closed", prod), ("b", eu), ("c", dev), ("d", root)):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")
        account = status["CreateAccountStatus"]["AccountId"]
        if parent != root:
            org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=parent)
        accounts[name] = account
    org.close_account(AccountId=accounts["closed"])
    return Org(root, prod, eu, dev, accounts)


def member_client(aws: Any, account: str, service: str = "ssm", region: str = "us-east-1") -> Any:
    """A client acting in ``account`` (the caller's own for the management account)."""
    if account == MANAGEMENT:
        return client(aws, service, region)
    sts = client(aws, "sts", region)
    role = f"arn:aws:iam::{account}:role/{ROLE}"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="check")["Credentials"]
    return boto3.session.Session().client(
        service,
        region_name=region,
        endpoint_url=aws.url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
