import { NotFoundPanel } from '@/components/ui/Feedback';

export function NotFound() {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Page not found</h1>
      <NotFoundPanel>There is no page at this address.</NotFoundPanel>
    </section>
  );
}
