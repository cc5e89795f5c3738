import type { Notification, Notifier } from '../shared/ports/notifier';
import type { SimActor } from './actors';
import { snsError } from './ec2/sim-ec2';
import type { SimWorld } from './world';

/** SNS as one actor sees it: a scheduled call that may fail during a 5xx fault. */
export class SimNotifier implements Notifier {
  constructor(
    private readonly w: SimWorld,
    private readonly actor: SimActor,
  ) {}

  publish(notification: Notification): Promise<void> {
    const w = this.w;
    return w.sched.call(
      this.actor,
      `sns Publish ${notification.event}`,
      w.rng.int(10, 60),
      () => w.rng.int(10, 60) + w.takeStall(this.actor),
      () => {
        if (w.rng.chance(w.faults.value('ec2-5xx', w.sched.now))) throw snsError();
        w.onNotification(this.actor, notification);
      },
    );
  }
}
