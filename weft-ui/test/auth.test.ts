import { describe, expect, it } from 'vitest';
import { authNeeded, setToken, unauthorized } from '../src/lib/api';

describe('401 handling', () => {
  it('asks for a token when the token in use is refused', () => {
    setToken('wrong');
    unauthorized('wrong');
    expect(authNeeded.get()).toBe(true);
  });

  it('ignores a late 401 for a token that has since been replaced', () => {
    setToken('wrong');
    setToken('right'); // the user typed the right one before the wrong one's answer came back
    unauthorized('wrong');
    expect(authNeeded.get()).toBe(false);
    unauthorized('right');
    expect(authNeeded.get()).toBe(true);
  });

  it('asks when no token was sent and none is set', () => {
    setToken(null);
    unauthorized(null);
    expect(authNeeded.get()).toBe(true);
  });
});
