import { randomBytes } from 'node:crypto';
import type { IdFactory } from '../util/ids';
import { deliver, postSubscriptionConfirmation } from './deliver';
import { SnsError } from './errors';
import type { PublishedAttribute, PublishedMessage, SnsListener, Subscription } from './model';

/** What Publish needs. */
export interface PublishInput {
  readonly topicArn: string;
  readonly message: string;
  readonly subject?: string;
  readonly attributes?: Readonly<Record<string, PublishedAttribute>>;
  readonly caller?: string;
}

const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Topics, subscriptions and the record of published messages. Publishing to a
 * topic that was neither declared in the topology nor created with CreateTopic
 * fails with NotFound, as on SNS: topics are never created implicitly, so a
 * misspelt ARN in the arbiter's configuration shows up locally too.
 */
export class SnsService {
  readonly #region: string;
  readonly #accountId: string;
  readonly #ids: IdFactory;
  readonly #topics = new Set<string>();
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #published: PublishedMessage[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #endpoint = 'http://127.0.0.1';

  constructor(region: string, accountId: string, topicNames: readonly string[], ids: IdFactory) {
    this.#region = region;
    this.#accountId = accountId;
    this.#ids = ids;
    for (const name of topicNames) this.createTopic(name);
  }

  /** `arn:aws:sns:<region>:<account>:<name>` */
  topicArn(name: string): string {
    return `arn:aws:sns:${this.#region}:${this.#accountId}:${name}`;
  }

  /** Creates a topic (idempotent, as on SNS) and returns its ARN. */
  createTopic(name: string): string {
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) {
      throw new SnsError('InvalidParameter', 'Invalid parameter: Topic Name');
    }
    const arn = this.topicArn(name);
    this.#topics.add(arn);
    return arn;
  }

  /** The URL this service answers on (SubscribeURLs point at it). */
  useEndpoint(endpoint: string): void {
    this.#endpoint = endpoint;
  }

  /** All topic ARNs. */
  listTopics(): string[] {
    return [...this.#topics];
  }

  #requireTopic(topicArn: string): void {
    if (!this.#topics.has(topicArn)) throw new SnsError('NotFound', 'Topic does not exist');
  }

  /**
   * Subscribes an HTTP endpoint, which must be on 127.0.0.1. As on SNS the subscription is
   * pending: SNS POSTs a SubscriptionConfirmation with a token, and nothing is delivered until
   * the endpoint confirms (ConfirmSubscription, or a GET of the SubscribeURL). Returns the ARN.
   */
  subscribeHttp(topicArn: string, endpoint: string): string {
    this.#requireTopic(topicArn);
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new SnsError('InvalidParameter', 'Invalid parameter: Endpoint');
    }
    if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
      throw new SnsError(
        'InvalidParameter',
        'Invalid parameter: Endpoint (the local cloud only delivers to http://127.0.0.1)',
      );
    }
    const existing = [...this.#subscriptions.values()].find(
      (s) => s.protocol === 'http' && s.topicArn === topicArn && s.endpoint === url.toString(),
    );
    if (existing?.protocol === 'http') {
      // Subscribing again while pending sends the confirmation again, as SNS does.
      if (!existing.confirmed) this.#sendConfirmation(existing);
      return existing.arn;
    }
    const arn = `${topicArn}:${this.#ids.requestId()}`;
    const subscription: Extract<Subscription, { protocol: 'http' }> = {
      arn,
      topicArn,
      protocol: 'http',
      endpoint: url.toString(),
      token: randomBytes(64).toString('hex'),
      confirmed: false,
    };
    this.#subscriptions.set(arn, subscription);
    this.#sendConfirmation(subscription);
    return arn;
  }

  #sendConfirmation(subscription: Extract<Subscription, { protocol: 'http' }>): void {
    const subscribeUrl = `${this.#endpoint}/?${new URLSearchParams({
      Action: 'ConfirmSubscription',
      TopicArn: subscription.topicArn,
      Token: subscription.token,
    }).toString()}`;
    this.#track(
      postSubscriptionConfirmation({
        endpoint: subscription.endpoint,
        topicArn: subscription.topicArn,
        token: subscription.token,
        messageId: this.#ids.requestId(),
        subscribeUrl,
      }).catch(() => undefined), // an endpoint that missed it can subscribe again, as on SNS
    );
  }

  /** Subscribes an email address: pending confirmation for good, since no mail leaves here. */
  subscribeEmail(topicArn: string, address: string): string {
    this.#requireTopic(topicArn);
    if (!/^[^@\s]+@[^@\s]+$/.test(address))
      throw new SnsError('InvalidParameter', 'Invalid parameter: Email address');
    const arn = `${topicArn}:${this.#ids.requestId()}`;
    this.#subscriptions.set(arn, { arn, topicArn, protocol: 'email', endpoint: address, confirmed: false });
    return arn;
  }

  /**
   * Confirms the pending subscription the token was sent for.
   * @throws SnsError InvalidParameter for a token this topic never sent.
   */
  confirm(topicArn: string, token: string): string {
    this.#requireTopic(topicArn);
    for (const s of this.#subscriptions.values()) {
      if (s.protocol === 'http' && s.topicArn === topicArn && s.token === token) {
        s.confirmed = true;
        return s.arn;
      }
    }
    throw new SnsError('InvalidParameter', 'Invalid token');
  }

  /** Every subscription (of one topic, when given). */
  subscriptions(topicArn?: string): Subscription[] {
    return [...this.#subscriptions.values()].filter((s) => topicArn === undefined || s.topicArn === topicArn);
  }

  /** Subscribes an in-process function (the `lambda` protocol); returns its subscription ARN. */
  subscribeListener(topicArn: string, listener: SnsListener): string {
    this.#requireTopic(topicArn);
    const arn = `${topicArn}:${this.#ids.requestId()}`;
    this.#subscriptions.set(arn, { arn, topicArn, protocol: 'lambda', listener, confirmed: true });
    return arn;
  }

  /** Removes a subscription; NotFound if there is none (the Unsubscribe API). */
  unsubscribe(subscriptionArn: string): void {
    if (!this.removeSubscription(subscriptionArn))
      throw new SnsError('NotFound', 'Subscription does not exist');
  }

  /** Removes a subscription if present; true when one was removed. */
  removeSubscription(subscriptionArn: string): boolean {
    return this.#subscriptions.delete(subscriptionArn);
  }

  /** Records the message, starts deliveries in the background and returns the message id. */
  publish(input: PublishInput): PublishedMessage {
    this.#requireTopic(input.topicArn);
    if (input.message === '') throw new SnsError('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(input.message) > MAX_MESSAGE_BYTES) {
      throw new SnsError('InvalidParameter', 'Invalid parameter: Message too long');
    }
    if (input.subject !== undefined && (input.subject.length === 0 || input.subject.length > 100)) {
      throw new SnsError('InvalidParameter', 'Invalid parameter: Subject');
    }
    const message: PublishedMessage = {
      messageId: this.#ids.requestId(),
      topicArn: input.topicArn,
      subject: input.subject,
      message: input.message,
      attributes: { ...input.attributes },
      timestamp: Date.now(),
      caller: input.caller ?? 'local',
      deliveries: [],
    };
    this.#published.push(message);
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.topicArn !== input.topicArn || !subscription.confirmed) continue;
      // Deliver after Publish has answered: SNS delivery is asynchronous.
      this.#track(
        new Promise<void>((resolve) => setImmediate(resolve)).then(() => deliver(message, subscription)),
      );
    }
    return message;
  }

  #track(run: Promise<void>): void {
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  /** Every published message, oldest first. */
  published(): PublishedMessage[] {
    return [...this.#published];
  }

  /** Forgets published messages. */
  clearPublished(): void {
    this.#published.length = 0;
  }

  /** Resolves when every delivery started so far has finished. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }
}
