/**
 * IAM adapter: the roles and instance profile `infra up` creates when asked (`roles.create`).
 */

import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  type CreateRoleCommandInput,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  type InstanceProfile,
  ListAttachedRolePoliciesCommand,
  RemoveRoleFromInstanceProfileCommand,
  type Role,
  type Tag,
} from '@aws-sdk/client-iam';
import { type AwsOptions, awsClient } from './clients.js';
import { allPages } from './pages.js';

/** The IAM calls mnbatch makes. */
export interface Iam {
  /** The role with its tags, or undefined when it does not exist. */
  getRole(name: string): Promise<Role | undefined>;
  createRole(input: CreateRoleCommandInput): Promise<Role>;
  deleteRole(name: string): Promise<void>;
  attachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  detachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  /** The role's inline policy `policyName` (decoded JSON text), or undefined when it has none of that name. */
  getRolePolicy(roleName: string, policyName: string): Promise<string | undefined>;
  /**
   * The default version's document (decoded JSON text) of customer managed policy `policyArn`,
   * or undefined when there is no such policy.
   */
  getPolicyDocument(policyArn: string): Promise<string | undefined>;
  /** Deletes the inline policy; one already gone is not an error. */
  deleteRolePolicy(roleName: string, policyName: string): Promise<void>;
  /** ARNs of the managed policies attached to a role (all pages). */
  listAttachedRolePolicies(roleName: string): Promise<string[]>;
  /** The instance profile with its roles and tags, or undefined when it does not exist. */
  getInstanceProfile(name: string): Promise<InstanceProfile | undefined>;
  createInstanceProfile(name: string, tags: Tag[]): Promise<InstanceProfile>;
  deleteInstanceProfile(name: string): Promise<void>;
  addRoleToInstanceProfile(profileName: string, roleName: string): Promise<void>;
  removeRoleFromInstanceProfile(profileName: string, roleName: string): Promise<void>;
}

/** An `Iam` backed by a real SDK client built with `awsClient` (clients.ts). */
export function createIam(options: AwsOptions): Iam {
  return iamFromClient(awsClient(IAMClient, options));
}

function isNoSuchEntity(e: unknown): boolean {
  return e instanceof Error && e.name === 'NoSuchEntityException';
}

/** An `Iam` over an existing client. */
export function iamFromClient(client: IAMClient): Iam {
  return {
    async getRole(RoleName) {
      try {
        return (await client.send(new GetRoleCommand({ RoleName }))).Role;
      } catch (e) {
        if (isNoSuchEntity(e)) return undefined;
        throw e;
      }
    },
    async createRole(input) {
      const role = (await client.send(new CreateRoleCommand(input))).Role;
      if (!role) throw new Error(`CreateRole ${input.RoleName} returned no role`);
      return role;
    },
    async deleteRole(RoleName) {
      await client.send(new DeleteRoleCommand({ RoleName }));
    },
    async attachRolePolicy(RoleName, PolicyArn) {
      await client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
    },
    async detachRolePolicy(RoleName, PolicyArn) {
      await client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }));
    },
    async getRolePolicy(RoleName, PolicyName) {
      try {
        const doc = (await client.send(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument;
        // IAM returns the document URL-encoded (RFC 3986).
        return doc === undefined ? undefined : decodeURIComponent(doc);
      } catch (e) {
        if (isNoSuchEntity(e)) return undefined;
        throw e;
      }
    },
    async getPolicyDocument(PolicyArn) {
      try {
        const policy = (await client.send(new GetPolicyCommand({ PolicyArn }))).Policy;
        if (!policy?.DefaultVersionId) return undefined;
        const version = await client.send(
          new GetPolicyVersionCommand({ PolicyArn, VersionId: policy.DefaultVersionId }),
        );
        const doc = version.PolicyVersion?.Document;
        // Like GetRolePolicy, the document comes URL-encoded (RFC 3986).
        return doc === undefined ? undefined : decodeURIComponent(doc);
      } catch (e) {
        if (isNoSuchEntity(e)) return undefined;
        throw e;
      }
    },
    async deleteRolePolicy(RoleName, PolicyName) {
      try {
        await client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
      } catch (e) {
        if (!isNoSuchEntity(e)) throw e;
      }
    },
    async listAttachedRolePolicies(RoleName) {
      const policies = await allPages(
        (Marker) => client.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker })),
        (page) => page.AttachedPolicies,
        (page) => (page.IsTruncated ? page.Marker : undefined),
      );
      return policies.flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : []));
    },
    async getInstanceProfile(InstanceProfileName) {
      try {
        return (await client.send(new GetInstanceProfileCommand({ InstanceProfileName }))).InstanceProfile;
      } catch (e) {
        if (isNoSuchEntity(e)) return undefined;
        throw e;
      }
    },
    async createInstanceProfile(InstanceProfileName, Tags) {
      const p = (await client.send(new CreateInstanceProfileCommand({ InstanceProfileName, Tags })))
        .InstanceProfile;
      if (!p) throw new Error(`CreateInstanceProfile ${InstanceProfileName} returned no profile`);
      return p;
    },
    async deleteInstanceProfile(InstanceProfileName) {
      await client.send(new DeleteInstanceProfileCommand({ InstanceProfileName }));
    },
    async addRoleToInstanceProfile(InstanceProfileName, RoleName) {
      await client.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName, RoleName }));
    },
    async removeRoleFromInstanceProfile(InstanceProfileName, RoleName) {
      await client.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName, RoleName }));
    },
  };
}
