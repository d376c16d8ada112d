import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { caCrlCommand, caInitCommand, caShowCommand } from './ca.js';
import { certIssueCommand } from './cert.js';
import { devCommand } from './dev.js';
import { importCommand } from './import.js';
import { planCommand } from './plan.js';
import { renderCommand } from './render.js';
import { serveCommand } from './serve.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

/** Every sub-command, in the order `--help` lists them. */
export const commands: Command[] = [
  validateCommand,
  planCommand,
  applyCommand,
  verifyCommand,
  importCommand,
  caInitCommand,
  caShowCommand,
  caCrlCommand,
  certIssueCommand,
  renderCommand,
  devCommand,
  serveCommand,
];
