"""DNS-validated ACM certificates for every region of a stack, with one validation record (C2).

ACM gives a domain the same validation CNAME in every region of an account
(hashicorp/terraform-provider-aws#13653: "funnel the DNS record handling to a single record").
Two records for one name would each own the CNAME: removing a region, or replacing its
certificate, would delete the record the other region's certificate renews with. So the record
is created once, from the first region's certificate, and every region's validation waits on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .naming import child_name, name_tag, token


@dataclass
class IssuedCertificatesArgs:
    """Arguments of `IssuedCertificates`."""

    domain_name: str
    hosted_zone_id: str
    """The Route 53 zone that holds the validation record."""
    providers: Mapping[str, aws.Provider]
    """Region name -> that region's provider; the first region's certificate names the record,
    and Route 53 (global) is reached through its provider."""
    compute_names: Mapping[str, str]
    """Region name -> the name of that region's compute tier, where earlier versions created
    the certificate, its validation and a record of their own: aliases keep them."""


class IssuedCertificates(pulumi.ComponentResource):
    """One certificate per region and the single validation record they share."""

    arns: dict[str, pulumi.Output[str]]
    """Region -> the validated certificate's ARN (known once ACM has issued it)."""

    def __init__(
        self, name: str, args: IssuedCertificatesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("edge", "IssuedCertificates"), name, None, opts)
        regions = list(args.providers)
        certificates = {
            region: aws.acm.Certificate(
                child_name(name, region, "cert"),
                domain_name=args.domain_name,
                validation_method="DNS",
                key_algorithm="RSA_2048",
                tags=name_tag(child_name(name, region, "cert")),
                opts=self._in(args, region, "aws:acm/certificate:Certificate"),
            )
            for region in regions
        }
        option = certificates[regions[0]].domain_validation_options[0]
        record = aws.route53.Record(
            child_name(name, "cert-validation"),
            zone_id=args.hosted_zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=60,
            # The CNAME is the same for every certificate of the domain in the account, so a
            # second stack issuing one adopts the record instead of failing to create it.
            allow_overwrite=True,
            # ... and then both stacks own it: deleting it with either (a destroy, dropping
            # `hostedZoneId`) would break the other's managed renewal. A leftover
            # `_<hash>.<domain>` CNAME to acm-validations.aws is harmless, so it is kept.
            opts=pulumi.ResourceOptions.merge(
                self._in(args, regions[0], "aws:route53/record:Record"),
                pulumi.ResourceOptions(retain_on_delete=True),
            ),
        )
        self.arns = {
            region: aws.acm.CertificateValidation(
                child_name(name, region, "cert"),
                certificate_arn=certificate.arn,
                validation_record_fqdns=[record.fqdn],
                opts=self._in(args, region, "aws:acm/certificateValidation:CertificateValidation"),
            ).certificate_arn
            for region, certificate in certificates.items()
        }
        self.register_outputs({"certificate_arns": self.arns})

    def _in(
        self, args: IssuedCertificatesArgs, region: str, type_token: str
    ) -> pulumi.ResourceOptions:
        """A child on `region`'s provider, aliased to where an earlier version created it: in
        the region's compute tier, named `<compute>-cert`."""
        compute = args.compute_names[region]
        parents = "secure-infra:stack:RegionalStack$secure-infra:compute:Compute"
        previous = (
            f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{parents}${type_token}"
            f"::{compute}-cert"
        )
        return pulumi.ResourceOptions(
            parent=self, provider=args.providers[region], aliases=[previous]
        )
