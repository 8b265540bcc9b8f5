import { Injectable } from '@nestjs/common';

/** The time source of the service; tests pin it. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
