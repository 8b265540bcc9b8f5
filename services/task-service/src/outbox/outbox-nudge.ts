/** Lets a service ask the relay to publish soon after it committed events, without knowing the relay. */
export abstract class OutboxNudge {
  abstract nudge(): void;
}
