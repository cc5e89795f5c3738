import type { SNSEvent } from 'aws-lambda';

/** One message attribute as published. */
export interface PublishedAttribute {
  readonly dataType: string;
  readonly value: string;
}

/** Outcome of delivering one message to one subscriber. */
export interface DeliveryResult {
  readonly subscriptionArn: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** A message as the SNS emulator received it. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject: string | undefined;
  readonly message: string;
  readonly attributes: Readonly<Record<string, PublishedAttribute>>;
  /** Epoch ms when it was published. */
  readonly timestamp: number;
  /** Access key id of the publisher (`anonymous` if unsigned, `local` if published in-process). */
  readonly caller: string;
  /** Filled in as deliveries finish (they run after Publish has answered, as on SNS). */
  readonly deliveries: DeliveryResult[];
}

/** An in-process subscriber; gets the same event shape a Lambda subscribed to the topic would. */
export type SnsListener = (event: SNSEvent) => unknown;

/**
 * A subscription: an HTTP endpoint on 127.0.0.1 (pending until the endpoint confirms it with
 * the token SNS sent it, as on SNS), an email address (pending forever here: the local cloud
 * sends no mail), or an in-process function (confirmed at once, as a Lambda subscription is).
 */
export type Subscription =
  | {
      readonly arn: string;
      readonly topicArn: string;
      readonly protocol: 'http';
      readonly endpoint: string;
      readonly token: string;
      confirmed: boolean;
    }
  | {
      readonly arn: string;
      readonly topicArn: string;
      readonly protocol: 'email';
      readonly endpoint: string;
      readonly confirmed: false;
    }
  | {
      readonly arn: string;
      readonly topicArn: string;
      readonly protocol: 'lambda';
      readonly listener: SnsListener;
      readonly confirmed: true;
    };
