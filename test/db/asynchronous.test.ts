import t from 'tap';
import { asynchronous } from '../../src/db/asynchronous.js';

t.test('a synchronous repository behind promises', async (t) => {
  const repository = {
    secret: 'kept as it is',
    double(n: number) {
      return n * 2;
    },
    quadruple(n: number) {
      // Methods may call each other through `this`, as the keys repository's bootstrap does.
      return this.double(this.double(n));
    },
    fail(): number {
      throw new Error('refused');
    },
    subscribe(listener: () => void) {
      return listener;
    },
  };
  const wrapped = asynchronous(repository, 'subscribe');
  t.equal(wrapped.secret, 'kept as it is', 'values pass through');
  t.equal(await wrapped.quadruple(3), 12, 'methods keep their `this`');
  const failed = wrapped.fail();
  t.type(failed, Promise, 'a throw becomes a rejected promise, not an exception');
  await t.rejects(failed, /refused/);
  const listener = () => {};
  t.equal(wrapped.subscribe(listener), listener, 'members named synchronous stay synchronous');
});
