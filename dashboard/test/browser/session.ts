import type { Page } from 'playwright-core';
import { PASSWORD } from '../helpers/world.js';

/** Signs a seeded user in through the login page (zh-CN) and waits for the board; whoever was signed in is forgotten. */
export async function signIn(page: Page, base: string, username: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${base}/board`);
  await page.waitForURL(/\/login/);
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登 录' }).click();
  await page.waitForURL(/\/board$/);
}

/** Signs out through the user menu and its confirmation. */
export async function signOut(page: Page): Promise<void> {
  await page.locator('[data-test=user-menu]').click();
  await page.getByRole('menuitem', { name: '退出登录' }).click();
  await page.locator('.el-message-box').getByRole('button', { name: '退出登录' }).click();
  await page.waitForURL(/\/login$/);
}
