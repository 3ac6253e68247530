/**
 * The AWS EFA installer the boot script falls back to when the AMI's kernel has no EFA device:
 * one named version, checked against its SHA-256 before anything in it runs, so every instance
 * of a stack installs the same bytes and a changed or truncated download stops the boot.
 *
 * To move to a newer version: take the version and its SHA-256 from AWS's "Verify the EFA
 * installer using a checksum" page of the EC2 user guide (or compute it with
 * `curl -sfO https://efa-installer.amazonaws.com/aws-efa-installer-X.Y.Z.tar.gz && sha256sum …`
 * and compare with AWS's published value), change both here and in the same script of the
 * CloudFormation template (templates/mnbatch-stack.yaml): test/templates fails until both agree.
 */

/** A version of the installer and the SHA-256 of its tarball. */
export interface EfaInstallerPin {
  readonly version: string;
  readonly sha256: string;
}

/**
 * The pinned installer. 1.41.0's checksum as AWS ParallelCluster pins it
 * (aws/aws-parallelcluster-cookbook, cookbooks/aws-parallelcluster-environment/attributes/environment.rb).
 */
export const EFA_INSTALLER: EfaInstallerPin = {
  version: '1.41.0',
  sha256: '3506354cdfbe31ff552fe75f5d0d9bb7efd29cf79bd99457347d29c751c38f9f',
};

/** Where AWS publishes the installer tarballs. */
export const EFA_INSTALLER_BASE_URL = 'https://efa-installer.amazonaws.com';

/** The tarball's file name for `pin`. */
export function efaInstallerTarball(pin: EfaInstallerPin): string {
  return `aws-efa-installer-${pin.version}.tar.gz`;
}
