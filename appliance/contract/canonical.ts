// The wire contract's code lives in @pitbox/consumer (packages/consumer/), one implementation for
// the appliance and every backend; the appliance imports it from here.
export * from '../../packages/consumer/src/canonical.js';
