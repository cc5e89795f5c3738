import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { LeaseHeldError, LeaseLostError } from '../../domain/errors';
import type { Lease, LeaseRecord } from '../../domain/model';
import type { DynamoTable } from './dynamo-table';
import { keys } from './keys';

/**
 * The group's lease on its state item: one conditional write each to take, extend and release
 * it. DynamoGroupStore hands its lease methods here; the epoch written here is what every
 * other state write of the group is conditioned on.
 */
export class DynamoLease {
  constructor(private readonly table: DynamoTable) {}

  /*
   * The race this condition closes:
   *   t0  arbiter A and arbiter B both read the group: lease free, both decide "fail over".
   *   t1  A writes owner=A, epoch=e+1: the condition holds (free), the write succeeds.
   *   t2  B writes owner=B: the condition fails (A holds it); B learns A's name, epoch and
   *       record version from ALL_OLD and stands down. Only one conditional write on one item
   *       can win.
   * A held lease is taken only as `seen`, the exact record (owner, epoch, version) the caller
   * watched unchanged for a lease duration on its own monotonic clock (LeaseGuard.take):
   *   t0      B sees A's record (version v) and notes it.
   *   t0+L/2  A extends: version v+1.
   *   t0+L    B takes "seen v": the condition fails, A keeps the lease.
   * No clock is compared with `leaseExpiresAt` here, so a taker whose clock runs ahead cannot
   * take a lease its holder is still extending. The epoch rises so the old holder's extend and
   * state writes, which are conditioned on its epoch, fail from then on.
   */
  async acquire(
    group: string,
    owner: string,
    now: number,
    leaseMs: number,
    seen?: LeaseRecord,
  ): Promise<Lease> {
    const expiresAt = now + leaseMs;
    const values: Record<string, unknown> = { ':me': owner, ':exp': expiresAt, ':zero': 0, ':one': 1 };
    let condition = 'attribute_not_exists(leaseOwner)';
    if (seen) {
      // An item written before versions has none: it was seen as version 0.
      const version = seen.version === 0 ? 'attribute_not_exists(leaseVersion)' : 'leaseVersion = :v';
      condition += ` OR (leaseOwner = :owner AND leaseEpoch = :epoch AND ${version})`;
      values[':owner'] = seen.owner;
      values[':epoch'] = seen.epoch;
      if (seen.version !== 0) values[':v'] = seen.version;
    }
    const out = await this.table.update(
      `acquire lease of ${group}`,
      {
        Key: stateKey(group),
        UpdateExpression:
          'SET leaseOwner = :me, leaseExpiresAt = :exp, leaseEpoch = if_not_exists(leaseEpoch, :zero) + :one, ' +
          'leaseVersion = if_not_exists(leaseVersion, :zero) + :one',
        ConditionExpression: condition,
        ExpressionAttributeValues: marshall(values),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
      (error) => ({ refused: error.Item ? unmarshall(error.Item) : undefined }),
    );
    if ('refused' in out) {
      // The holder's record, to be watched (LeaseGuard.take). An engine that returns no ALL_OLD
      // (dynalite) gets a consistent read instead: a record as new or newer, which only delays.
      const old =
        out.refused ??
        (
          await this.table.batchGet(`read lease of ${group}`, [{ pk: keys.groupPk(group), sk: keys.state }])
        )[0] ??
        {};
      throw new LeaseHeldError(
        group,
        old.leaseOwner as string | undefined,
        old.leaseEpoch as number | undefined,
        old.leaseExpiresAt as number | undefined,
        old.leaseOwner === undefined ? undefined : Number(old.leaseVersion ?? 0),
      );
    }
    const item = unmarshall(out.Attributes ?? {});
    return { group, owner, epoch: Number(item.leaseEpoch), expiresAt };
  }

  /*
   * The race this condition closes: our lease expired while we were slow (GC pause, SDK
   * retries) and another arbiter took it with epoch e+1. Our next extend is conditioned on
   * owner AND epoch, so it fails and we stop before our next EC2 mutation.
   */
  async extend(lease: Lease, now: number, leaseMs: number): Promise<Lease> {
    const expiresAt = now + leaseMs;
    await this.table.update(
      `extend lease of ${lease.group}`,
      {
        Key: stateKey(lease.group),
        // A new version, so that an arbiter watching the record sees that it changed.
        UpdateExpression:
          'SET leaseExpiresAt = :exp, leaseVersion = if_not_exists(leaseVersion, :zero) + :one',
        ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
        ExpressionAttributeValues: marshall({
          ':me': lease.owner,
          ':e': lease.epoch,
          ':exp': expiresAt,
          ':zero': 0,
          ':one': 1,
        }),
      },
      (error) => {
        throw new LeaseLostError(lease.group, lease.owner, lease.epoch, { cause: error });
      },
    );
    return { ...lease, expiresAt };
  }

  /** A no-op if the lease is no longer ours (its condition fails). */
  async release(lease: Lease): Promise<void> {
    await this.table.updateIf(`release lease of ${lease.group}`, {
      Key: stateKey(lease.group),
      UpdateExpression: 'REMOVE leaseOwner SET leaseExpiresAt = :zero',
      ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
      ExpressionAttributeValues: marshall({ ':me': lease.owner, ':e': lease.epoch, ':zero': 0 }),
    });
  }
}

/** The marshalled key of a group's lease and state item. */
export function stateKey(group: string) {
  return marshall({ pk: keys.groupPk(group), sk: keys.state });
}
